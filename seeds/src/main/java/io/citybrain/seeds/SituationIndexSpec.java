package io.citybrain.seeds;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * How a district's situation index (0-100) is made of weighted sub-indices: see
 * situation-index.yaml.
 */
public record SituationIndexSpec(
    List<SubIndex> subIndices,
    Map<String, Double> alertPenalty,
    Double incidentPenalty,
    Integer incidentActiveMinutes)
    implements Serializable {

  public SituationIndexSpec {
    subIndices = subIndices == null ? List.of() : List.copyOf(subIndices);
    alertPenalty = alertPenalty == null ? Map.of() : Map.copyOf(alertPenalty);
  }

  /** One sub-index (environment, traffic, safety, infrastructure) and its weight in the index. */
  public record SubIndex(String id, Double weight, List<Score> scores) implements Serializable {
    public SubIndex {
      scores = scores == null ? List.of() : List.copyOf(scores);
    }
  }

  /**
   * One score: a metric's window statistic (or the online rate) mapped linearly from good (100) to
   * bad (0).
   */
  public record Score(
      String metric, AlertRule.Statistic statistic, Double good, Double bad, Boolean onlineRate)
      implements Serializable {

    public boolean isOnlineRate() {
      return Boolean.TRUE.equals(onlineRate);
    }

    /** The score of a value, 0..100. */
    public double score(double value) {
      double s = 100 * (value - bad) / (good - bad);
      return Math.max(0, Math.min(100, s));
    }
  }
}
