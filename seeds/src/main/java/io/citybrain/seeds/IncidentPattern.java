package io.citybrain.seeds;

import java.io.Serializable;
import java.util.List;

/**
 * A compound incident: steps in one district within a time bound, and the response plan that fits
 * it.
 */
public record IncidentPattern(
    String id,
    String nameEn,
    String kind,
    String severity,
    Integer withinMinutes,
    Integer minAlerts,
    String responsePlan,
    List<Step> steps)
    implements Serializable {

  public IncidentPattern {
    steps = steps == null ? List.of() : List.copyOf(steps);
  }

  /** True for a storm pattern (many alerts of any rule), false for a sequence of steps. */
  public boolean isStorm() {
    return "storm".equals(kind);
  }

  /** One step: exactly one of alert, camera, reading or anyOf is set. */
  public record Step(
      String alert,
      String camera,
      String reading,
      Double above,
      Integer minCount,
      Boolean otherDevice,
      Double withinM,
      List<Step> anyOf)
      implements Serializable {}
}
