package io.citybrain.proto;

import io.citybrain.proto.v1.AlertState;
import java.util.List;
import java.util.Locale;

/** The alert states' words ({@code raised}, {@code cleared}) and the wire enum they stand for. */
public final class AlertStates {
  public static final String RAISED = word(AlertState.ALERT_STATE_RAISED);
  public static final String CLEARED = word(AlertState.ALERT_STATE_CLEARED);
  public static final List<String> WORDS = List.of(RAISED, CLEARED);

  private AlertStates() {}

  public static String word(AlertState state) {
    if (state == AlertState.ALERT_STATE_UNSPECIFIED || state == AlertState.UNRECOGNIZED) {
      throw new IllegalArgumentException("an alert state must be raised or cleared, was " + state);
    }
    return state.name().substring("ALERT_STATE_".length()).toLowerCase(Locale.ROOT);
  }

  public static AlertState of(boolean raised) {
    return raised ? AlertState.ALERT_STATE_RAISED : AlertState.ALERT_STATE_CLEARED;
  }
}
