package io.citybrain.simulators.work;

import com.fasterxml.jackson.databind.JsonNode;
import io.citybrain.simulators.work.HandlingModel.Step;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * The coordinator on duty: acknowledges an incident, triggers its suggested plan, resolves it when
 * the API proposes it (its alerts cleared, no run of it running) and closes it.
 */
final class IncidentDesk extends ApiDesk {
  private static final String INCIDENTS = "/api/v1/incidents";

  /** Incidents whose plan this desk triggered: a reopened one is not triggered again. */
  private final Set<String> triggered = ConcurrentHashMap.newKeySet();

  IncidentDesk(WorkApi api, HandlingModel model) {
    super("incident", "incident_id", INCIDENTS, api, model);
  }

  @Override
  public List<String> arrivals() {
    return List.of(list("state=open&limit=1000"));
  }

  @Override
  public List<String> waiting() {
    return List.of(
        list("state=acknowledged&limit=1000"),
        list("state=responding&limit=1000"),
        list("state=resolved&limit=1000"));
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
    double gaussian = draws.nextGaussian();
    String plan = Desk.text(item, "response_plan_id");
    return switch (situation(item)) {
      case "open" ->
          Optional.of(
              move(
                  id,
                  "acknowledge",
                  model.wall(Step.INCIDENT_ACKNOWLEDGE, gaussian),
                  "acknowledged",
                  "the duty coordinator has it"));
      case "acknowledged" ->
          plan != null && triggered.add(id)
              ? Optional.of(trigger(id, plan, gaussian))
              : Optional.of(resolve(id, gaussian));
      case "responding" -> Optional.of(resolve(id, gaussian));
      case "resolved" ->
          Optional.of(
              move(
                  id,
                  "close",
                  model.wall(Step.INCIDENT_CLOSE, gaussian),
                  "closed",
                  "reviewed and closed"));
      default -> Optional.empty();
    };
  }

  /** The incident's suggested plan, under a request id of its own: a retry returns the same run. */
  private Action trigger(String id, String plan, double gaussian) {
    return new Action(
        "trigger",
        model.wall(Step.INCIDENT_TRIGGER, gaussian),
        null,
        "/api/v1/responses",
        WorkApi.object()
            .put("request_id", "duty-" + id)
            .put("incident_id", id)
            .put("plan_id", plan),
        false);
  }

  /** Resolved once the API proposes it; until then the coordinator keeps an eye on it. */
  private Action resolve(String id, double gaussian) {
    Action resolve =
        move(
            id,
            "resolve",
            model.wall(Step.INCIDENT_RESOLVE, gaussian),
            "resolved",
            "alerts cleared, response finished");
    return new Action(
        resolve.label(),
        resolve.delay(),
        new Check(itemPath(id), i -> i.path("resolve_proposed").asBoolean(false)),
        resolve.path(),
        resolve.body(),
        true);
  }
}
