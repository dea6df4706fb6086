package io.citybrain.proto;

/** Where a response plan's run stands (table {@code plan_run}). */
public enum RunState implements Word {
  RUNNING,
  COMPLETED,
  PARTIALLY_FAILED,
  CANCELLED
}
