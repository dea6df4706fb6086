package io.citybrain.api.cases;

import static io.citybrain.proto.CaseState.CLOSED;
import static io.citybrain.proto.CaseState.CONFIRMED;
import static io.citybrain.proto.CaseState.DISCOVERED;
import static io.citybrain.proto.CaseState.DISPATCHED;
import static io.citybrain.proto.CaseState.HANDLING;
import static io.citybrain.proto.CaseState.REOPENED;
import static io.citybrain.proto.CaseState.RESOLVED;

import io.citybrain.api.work.Workflow;
import io.citybrain.proto.CaseState;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The grid-case lifecycle: discover, dispatch, handle, resolve, then a grid worker confirms (or
 * reopens), and the feedback with a rating closes the case. A reopened case goes back to handling.
 */
public final class CaseWorkflow {
  static final Workflow<CaseState> FLOW =
      Workflow.of(CaseState.class)
          .from(DISCOVERED, DISPATCHED)
          .from(DISPATCHED, HANDLING)
          .from(HANDLING, RESOLVED)
          .from(RESOLVED, CONFIRMED, REOPENED)
          .from(REOPENED, HANDLING)
          .from(CONFIRMED, CLOSED)
          .build();

  public static final List<String> STATES = FLOW.states();

  /** The states a case counts as resolved in (confirming and closing keep it so). */
  static final List<CaseState> RESOLVED_STATES = List.of(RESOLVED, CONFIRMED, CLOSED);

  private CaseWorkflow() {}

  /** The states a case may move to from {@code state}; empty for closed or an unknown state. */
  public static List<String> allowed(String state) {
    return FLOW.allowed(state);
  }

  public static boolean canMove(String from, String to) {
    return FLOW.canMove(from, to);
  }

  /**
   * The states a case is open in: it may be reassigned to another department, back to dispatched.
   */
  static final List<CaseState> OPEN = List.of(DISPATCHED, HANDLING, REOPENED);

  /** Whether a case in {@code state} may be dispatched again to another department. */
  public static boolean canReassign(String state) {
    return OPEN.stream().anyMatch(s -> s.word().equals(state));
  }

  /** {@code ('resolved', 'confirmed', 'closed')}: the words as an SQL list, for IN. */
  static String sqlList(List<CaseState> states) {
    return states.stream()
        .map(s -> "'" + s.word() + "'")
        .collect(Collectors.joining(", ", "(", ")"));
  }
}
