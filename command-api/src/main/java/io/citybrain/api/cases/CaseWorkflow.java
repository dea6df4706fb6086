package io.citybrain.api.cases;

import static io.citybrain.proto.CaseState.CLOSED;
import static io.citybrain.proto.CaseState.CONFIRMED;
import static io.citybrain.proto.CaseState.DISCOVERED;
import static io.citybrain.proto.CaseState.DISPATCHED;
import static io.citybrain.proto.CaseState.HANDLING;
import static io.citybrain.proto.CaseState.REOPENED;
import static io.citybrain.proto.CaseState.RESOLVED;

import io.citybrain.proto.CaseState;
import io.citybrain.proto.Word;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The grid-case lifecycle: discover, dispatch, handle, resolve, then a grid worker confirms (or
 * reopens), and the feedback with a rating closes the case. A reopened case goes back to handling.
 */
public final class CaseWorkflow {
  public static final List<String> STATES = Word.words(CaseState.class);

  /** The states a case counts as resolved in (confirming and closing keep it so). */
  static final List<CaseState> RESOLVED_STATES = List.of(RESOLVED, CONFIRMED, CLOSED);

  private static final Map<CaseState, List<CaseState>> NEXT = new EnumMap<>(CaseState.class);

  static {
    NEXT.put(DISCOVERED, List.of(DISPATCHED));
    NEXT.put(DISPATCHED, List.of(HANDLING));
    NEXT.put(HANDLING, List.of(RESOLVED));
    NEXT.put(RESOLVED, List.of(CONFIRMED, REOPENED));
    NEXT.put(REOPENED, List.of(HANDLING));
    NEXT.put(CONFIRMED, List.of(CLOSED));
    NEXT.put(CLOSED, List.of());
  }

  private CaseWorkflow() {}

  /** The states a case may move to from {@code state}; empty for closed or an unknown state. */
  public static List<String> allowed(String state) {
    return STATES.contains(state)
        ? NEXT.get(Word.parse(CaseState.class, state)).stream().map(CaseState::word).toList()
        : List.of();
  }

  public static boolean canMove(String from, String to) {
    return allowed(from).contains(to);
  }

  /** {@code ('resolved', 'confirmed', 'closed')}: the words as an SQL list, for IN. */
  static String sqlList(List<CaseState> states) {
    return states.stream()
        .map(s -> "'" + s.word() + "'")
        .collect(Collectors.joining(", ", "(", ")"));
  }
}
