package io.citybrain.stream.incident;

import io.citybrain.seeds.Geo;
import io.citybrain.seeds.IncidentPattern;
import java.io.Serializable;
import java.util.Objects;

/**
 * One alternative of a pattern step: the signal it wants (kind, name, threshold) and how it must
 * relate to the first signal of the match (distance, other device).
 */
final class StepMatcher implements Serializable {
  private static final long serialVersionUID = 1L;

  private final byte kind;

  /** Null matches any name (storm patterns take alerts of every rule). */
  private final String name;

  /** Null: no threshold; otherwise the value must be strictly above it. */
  private final Double above;

  private final Double withinM;
  private final boolean otherDevice;

  StepMatcher(byte kind, String name, Double above, Double withinM, boolean otherDevice) {
    this.kind = kind;
    this.name = name;
    this.above = above;
    this.withinM = withinM;
    this.otherDevice = otherDevice;
  }

  /** Any alert of any rule. */
  static StepMatcher anyAlert() {
    return new StepMatcher(Signal.ALERT, null, null, null, false);
  }

  /** A leaf step (alert, camera or reading; not any_of). */
  static StepMatcher of(IncidentPattern.Step step) {
    byte kind =
        step.alert() != null
            ? Signal.ALERT
            : step.camera() != null ? Signal.CAMERA : Signal.READING;
    String name =
        step.alert() != null
            ? step.alert()
            : step.camera() != null ? step.camera() : step.reading();
    if (name == null) {
      throw new IllegalArgumentException(
          "a step needs one of alert, camera, reading or any_of: " + step);
    }
    return new StepMatcher(
        kind, name, step.above(), step.withinM(), Boolean.TRUE.equals(step.otherDevice()));
  }

  /**
   * What the signal is by itself: kind, name and threshold. Cheap; decides which signals a pattern
   * is fed.
   */
  boolean accepts(Signal s) {
    return s.kind == kind
        && (name == null || name.equals(s.name))
        && (above == null || s.value > above);
  }

  boolean takesAlerts() {
    return kind == Signal.ALERT;
  }

  /**
   * True when this step relates the signal to the first signal of the match (distance or device).
   */
  boolean relatesToFirst() {
    return withinM != null || otherDevice;
  }

  /**
   * The relation to the first signal of the match. A distance bound needs both positions: an
   * unknown position (alerts, unregistered devices) never satisfies it.
   */
  boolean relatesTo(Signal s, Signal first) {
    if (otherDevice && Objects.equals(s.deviceId, first.deviceId)) {
      return false;
    }
    return withinM == null || Geo.distanceM(first.lat, first.lon, s.lat, s.lon) <= withinM;
  }

  @Override
  public String toString() {
    return (kind == Signal.ALERT ? "alert " : kind == Signal.CAMERA ? "camera " : "reading ")
        + (name == null ? "*" : name)
        + (above != null ? " >" + above : "")
        + (withinM != null ? " within " + withinM + " m" : "")
        + (otherDevice ? " other device" : "");
  }
}
