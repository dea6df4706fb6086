package io.citybrain.seeds;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * A linked response: commands to device groups and tasks to departments; {@code approval} {@code
 * second_coordinator} holds a run until a coordinator other than the one who triggered it approves
 * (absent or {@code none}: it runs at once).
 */
public record ResponsePlan(
    String id,
    String nameZh,
    String nameEn,
    Integer commandTtlS,
    List<PlanCommand> commands,
    List<PlanTask> tasks,
    String approval)
    implements Serializable {
  /** The approval a plan may require: a second coordinator's. */
  public static final String SECOND_COORDINATOR = "second_coordinator";

  /** The approval words a plan may name. */
  public static final List<String> APPROVALS = List.of("none", SECOND_COORDINATOR);

  /**
   * The longest a plan's commands may live: devices remember an executed command id this long (the
   * simulator's journal keeps it {@code ActuatorSettings.DEFAULT_MAX_LIFETIME}), so a command still
   * deliverable after that could run twice.
   */
  public static final int MAX_COMMAND_TTL_S = 300;

  public ResponsePlan {
    commands = commands == null ? List.of() : List.copyOf(commands);
    tasks = tasks == null ? List.of() : List.copyOf(tasks);
  }

  /** Whether a run of this plan waits for a second coordinator's approval. */
  public boolean needsSecondCoordinator() {
    return SECOND_COORDINATOR.equals(approval);
  }

  /**
   * One command to every device of a kind in the district, or within a distance of the incident.
   */
  public record PlanCommand(
      String deviceKind, String action, Map<String, String> params, Double withinM)
      implements Serializable {
    public PlanCommand {
      params = params == null ? Map.of() : Map.copyOf(params);
    }
  }

  /**
   * One task for one department, due {@code sla_minutes} after its run starts (absent: the
   * escalation block's default).
   */
  public record PlanTask(String department, String task, Integer slaMinutes)
      implements Serializable {}
}
