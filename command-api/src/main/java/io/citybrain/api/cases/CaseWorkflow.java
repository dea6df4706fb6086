package io.citybrain.api.cases;

import java.util.List;
import java.util.Map;

/**
 * The grid-case lifecycle: discover, dispatch, handle, resolve, then a grid worker confirms (or
 * reopens), and the feedback with a rating closes the case. A reopened case goes back to handling.
 */
public final class CaseWorkflow {
  public static final List<String> STATES =
      List.of(
          "discovered", "dispatched", "handling", "resolved", "confirmed", "reopened", "closed");
  private static final Map<String, List<String>> NEXT =
      Map.of(
          "discovered", List.of("dispatched"),
          "dispatched", List.of("handling"),
          "handling", List.of("resolved"),
          "resolved", List.of("confirmed", "reopened"),
          "reopened", List.of("handling"),
          "confirmed", List.of("closed"),
          "closed", List.of());

  private CaseWorkflow() {}

  /** The states a case may move to from {@code state}; empty for closed or an unknown state. */
  public static List<String> allowed(String state) {
    return NEXT.getOrDefault(state, List.of());
  }

  public static boolean canMove(String from, String to) {
    return allowed(from).contains(to);
  }
}
