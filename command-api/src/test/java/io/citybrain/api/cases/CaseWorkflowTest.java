package io.citybrain.api.cases;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The grid-case state machine and the rate arithmetic. */
class CaseWorkflowTest {
  @Test
  @DisplayName("discover, dispatch, handle, resolve, then confirm or reopen, and feedback closes")
  void transitions() {
    assertThat(CaseWorkflow.allowed("dispatched")).containsExactly("handling");
    assertThat(CaseWorkflow.allowed("resolved")).containsExactly("confirmed", "reopened");
    assertThat(CaseWorkflow.allowed("reopened")).containsExactly("handling");
    assertThat(CaseWorkflow.allowed("confirmed")).containsExactly("closed");
    assertThat(CaseWorkflow.allowed("closed")).isEmpty();
    assertThat(CaseWorkflow.canMove("dispatched", "resolved")).isFalse();
    assertThat(CaseWorkflow.canMove("handling", "resolved")).isTrue();
    // Every state is reachable from discovered.
    Set<String> seen = new HashSet<>(List.of("discovered"));
    Deque<String> todo = new ArrayDeque<>(seen);
    while (!todo.isEmpty()) {
      CaseWorkflow.allowed(todo.pop())
          .forEach(
              s -> {
                if (seen.add(s)) {
                  todo.push(s);
                }
              });
    }
    assertThat(seen).containsExactlyInAnyOrderElementsOf(CaseWorkflow.STATES);
  }

  @Test
  @DisplayName("rates are percentages to 0.01, null when there is nothing to divide")
  void rates() {
    JsonObject row = CaseStats.row("BA", 3700, 3600, 3595);
    assertThat(row.getDouble("resolution_rate")).isEqualTo(97.30);
    assertThat(row.getDouble("sla_compliance")).isEqualTo(99.86);
    assertThat(CaseStats.row("x", 0, 0, 0).getValue("resolution_rate")).isNull();
  }
}
