package io.citybrain.simulators.work;

import com.fasterxml.jackson.databind.JsonNode;
import io.citybrain.simulators.work.HandlingModel.Step;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The operators on duty: they acknowledge a new alert, and resolve it once the job has cleared it.
 */
final class AlertDesk extends ApiDesk {
  private static final String ALERTS = "/api/v1/alerts";

  AlertDesk(WorkApi api, HandlingModel model) {
    super("alert", "alert_id", ALERTS, api, model);
  }

  @Override
  public List<String> arrivals() {
    return List.of(list("handling=new&limit=1000"));
  }

  @Override
  public List<String> waiting() {
    return List.of(list("handling=acknowledged&limit=1000"));
  }

  @Override
  public boolean finished(String situation) {
    return situation.startsWith("resolved/");
  }

  @Override
  public String situation(JsonNode item) {
    return Desk.text(item, "handling") + "/" + Desk.text(item, "state");
  }

  @Override
  public Optional<Action> next(JsonNode item, RandomGenerator draws) {
    String id = Desk.text(item, idField());
    double gaussian = draws.nextGaussian();
    String handling = Desk.text(item, "handling");
    if ("new".equals(handling)) {
      return Optional.of(
          move(
              id,
              "acknowledge",
              model.wall(Step.ALERT_ACKNOWLEDGE, gaussian),
              "acknowledged",
              "seen on the wall"));
    }
    if ("acknowledged".equals(handling)) {
      Action resolve =
          move(
              id,
              "resolve",
              model.wall(Step.ALERT_RESOLVE, gaussian),
              "resolved",
              "cleared by the job, checked");
      // An operator resolves what the job has cleared; until then the alert is watched.
      return Optional.of(
          new Action(
              resolve.label(),
              resolve.delay(),
              new Check(itemPath(id), a -> "cleared".equals(Desk.text(a, "state"))),
              resolve.path(),
              resolve.body(),
              true));
    }
    return Optional.empty();
  }
}
