package io.citybrain.simulators.work;

import com.fasterxml.jackson.databind.JsonNode;
import io.citybrain.simulators.work.HandlingModel.Step;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The departments a response plan tasks: each accepts its task, starts it and finishes it, done or
 * (at the model's failure rate) failed.
 */
final class TaskDesk extends ApiDesk {
  private static final String TASKS = "/api/v1/tasks";

  TaskDesk(WorkApi api, HandlingModel model) {
    super("task", "task_id", TASKS, api, model);
  }

  @Override
  public List<String> arrivals() {
    return List.of(list("state=assigned&limit=1000"));
  }

  @Override
  public List<String> waiting() {
    return List.of(list("state=accepted&limit=1000"), list("state=in_progress&limit=1000"));
  }

  @Override
  public boolean finished(String situation) {
    return List.of("done", "failed", "cancelled").contains(situation);
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
      case "assigned" ->
          Optional.of(
              move(
                  id,
                  "accept",
                  model.wall(Step.TASK_ACCEPT, gaussian),
                  "accepted",
                  "accepted by " + department));
      case "accepted" ->
          Optional.of(
              move(
                  id,
                  "start",
                  model.wall(Step.TASK_START, gaussian),
                  "in_progress",
                  department + " on the way"));
      case "in_progress" ->
          Optional.of(
              chance < model.taskSuccessRate()
                  ? move(id, "finish", model.wall(Step.TASK_FINISH, gaussian), "done", "done")
                  : move(
                      id,
                      "fail",
                      model.wall(Step.TASK_FINISH, gaussian),
                      "failed",
                      department + " could not complete it"));
      default -> Optional.empty();
    };
  }
}
