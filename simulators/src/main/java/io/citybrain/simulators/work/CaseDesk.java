package io.citybrain.simulators.work;

import com.fasterxml.jackson.databind.JsonNode;
import io.citybrain.simulators.work.HandlingModel.Step;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Grid workers and the departments cases are dispatched to: a department picks a case up, rectifies
 * it within part of its SLA (or cannot, at the model's failure rate, and the case waits in handling
 * for escalation), a grid worker confirms it on site (or reopens it) and the citizen's feedback
 * closes it.
 */
final class CaseDesk extends ApiDesk {
  private static final String CASES = "/api/v1/cases";

  CaseDesk(WorkApi api, HandlingModel model) {
    super("case", "case_id", CASES, api, model);
  }

  @Override
  public List<String> arrivals() {
    return List.of(queue("dispatched"));
  }

  @Override
  public List<String> waiting() {
    return List.of(queue("handling"), queue("resolved"), queue("reopened"), queue("confirmed"));
  }

  private String queue(String state) {
    return list("state=" + state + "&order=oldest&limit=1000");
  }

  @Override
  public boolean finished(String situation) {
    return situation.equals("closed");
  }

  @Override
  public String situation(JsonNode item) {
    return Desk.text(item, "state");
  }

  @Override
  public Optional<Action> next(JsonNode item, RandomGenerator draws) {
    String id = Desk.text(item, idField());
    String department = Desk.text(item, "department");
    double chance = draws.nextDouble();
    double gaussian = draws.nextGaussian();
    return switch (situation(item)) {
      case "dispatched", "reopened" ->
          Optional.of(
              move(
                  id,
                  "pickup",
                  model.wall(Step.CASE_PICKUP, gaussian),
                  "handling",
                  "picked up by " + department));
      case "handling" ->
          chance < model.caseSuccessRate()
              ? Optional.of(
                  move(
                      id,
                      "rectify",
                      model.wall(shareOfSla(item), gaussian),
                      "resolved",
                      "rectified by " + department))
              : Optional.empty();
      case "resolved" ->
          Optional.of(
              chance < model.reopenRate()
                  ? move(
                      id,
                      "reopen",
                      model.wall(Step.CASE_CONFIRM, gaussian),
                      "reopened",
                      "not rectified on inspection")
                  : move(
                      id,
                      "confirm",
                      model.wall(Step.CASE_CONFIRM, gaussian),
                      "confirmed",
                      "confirmed on site by the grid worker"));
      case "confirmed" -> {
        Action close =
            move(
                id,
                "feedback",
                model.wall(Step.CASE_FEEDBACK, gaussian),
                "closed",
                "the reporter's feedback");
        // Most reporters are satisfied with a rectified case.
        close.body().put("rating", chance < 0.6 ? 5 : chance < 0.9 ? 4 : 3);
        close.body().put("feedback", "handled");
        yield Optional.of(close);
      }
      default -> Optional.empty();
    };
  }

  /** The model's share of the case's SLA (its due time after its creation). */
  private Duration shareOfSla(JsonNode item) {
    Instant created = Instant.parse(item.path("created_at").asText());
    Instant due = Instant.parse(item.path("due_at").asText());
    return Duration.ofMillis(
        Math.round(Duration.between(created, due).toMillis() * model.handleShareOfSla()));
  }
}
