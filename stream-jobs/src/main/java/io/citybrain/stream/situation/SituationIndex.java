package io.citybrain.stream.situation;

import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.MetricKind;
import io.citybrain.seeds.SituationIndexSpec;
import io.citybrain.stream.metric.WindowStats;
import java.io.Serializable;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Computes a district's situation index (0-100) and its sub-indices from a window's statistics, as
 * the seeds say.
 */
public final class SituationIndex implements Serializable {
  private static final long serialVersionUID = 1L;
  private final SituationIndexSpec spec;
  private final Map<String, String> categoryOfMetric = new HashMap<>();

  public SituationIndex(CitySeeds seeds) {
    this.spec = seeds.situationIndex();
    for (MetricKind m : seeds.metrics()) {
      categoryOfMetric.put(m.id(), m.category());
    }
  }

  /** The index and sub-indices; sub-indices without data are left out. */
  public record Result(double index, Map<String, Double> subIndices) {}

  /** An open alert as the index sees it: its metric and severity. */
  public record OpenAlert(String metric, String severity) {}

  /**
   * @param stats the window's statistics by metric
   * @param onlineRate the share of the district's devices online, NaN when unknown
   */
  public Result compute(
      Map<String, WindowStats> stats,
      double onlineRate,
      Collection<OpenAlert> openAlerts,
      int activeIncidents) {
    Map<String, Double> subIndices = new LinkedHashMap<>();
    double weighted = 0;
    double weights = 0;
    for (SituationIndexSpec.SubIndex sub : spec.subIndices()) {
      double sum = 0;
      int n = 0;
      for (SituationIndexSpec.Score score : sub.scores()) {
        double value = Double.NaN;
        if (score.isOnlineRate()) {
          value = onlineRate;
        } else if (stats.containsKey(score.metric())) {
          value =
              stats
                  .get(score.metric())
                  .statistic(score.statistic().name().toLowerCase(Locale.ROOT));
        }
        if (!Double.isNaN(value)) {
          sum += score.score(value);
          n++;
        }
      }
      if (n == 0) {
        continue;
      }
      double value = sum / n;
      // Summed in a fixed order and subtracted once: the open alerts come from a map with no order
      // of its own.
      value -=
          openAlerts.stream()
              .filter(alert -> sub.id().equals(categoryOfMetric.get(alert.metric())))
              .mapToDouble(alert -> spec.alertPenalty().getOrDefault(alert.severity(), 0.0))
              .sorted()
              .sum();
      if ("safety".equals(sub.id())) {
        value -= activeIncidents * spec.incidentPenalty();
      }
      value = Math.max(0, Math.min(100, value));
      subIndices.put(sub.id(), value);
      weighted += sub.weight() * value;
      weights += sub.weight();
    }
    return new Result(weights == 0 ? Double.NaN : weighted / weights, subIndices);
  }

  /** How long an incident counts as active after its detection. */
  public long incidentActiveMs() {
    return spec.incidentActiveMinutes() * 60_000L;
  }
}
