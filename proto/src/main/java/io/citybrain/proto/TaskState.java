package io.citybrain.proto;

/**
 * Where a department's task of a run stands (table {@code department_task}): assigned, accepted by
 * the department, in progress, then done or failed; cancelled with its run.
 */
public enum TaskState implements Word {
  ASSIGNED,
  ACCEPTED,
  IN_PROGRESS,
  DONE,
  FAILED,
  CANCELLED
}
