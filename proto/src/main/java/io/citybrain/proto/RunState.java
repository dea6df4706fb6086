package io.citybrain.proto;

/**
 * Where a response plan's run stands (table {@code plan_run}): awaiting a second coordinator's
 * approval or queued behind an overlapping run (nothing sent), running, cancelling (cancel commands
 * awaiting the devices' answers), then one of the final states.
 */
public enum RunState implements Word {
  RUNNING,
  COMPLETED,
  PARTIALLY_FAILED,
  CANCELLED,
  CANCELLING,
  QUEUED,
  AWAITING_APPROVAL,
  REJECTED;

  /** Holding its target devices: no other run may send to them meanwhile. */
  public boolean holdsTargets() {
    return this == RUNNING || this == CANCELLING || this == QUEUED || this == AWAITING_APPROVAL;
  }

  /** Over: nothing more will be sent or awaited. */
  public boolean finished() {
    return this == COMPLETED || this == PARTIALLY_FAILED || this == CANCELLED || this == REJECTED;
  }
}
