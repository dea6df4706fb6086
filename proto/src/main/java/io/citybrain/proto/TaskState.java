package io.citybrain.proto;

/** Where a department's task of a run stands (table {@code department_task}). */
public enum TaskState implements Word {
  ASSIGNED,
  ACKNOWLEDGED,
  DONE,
  CANCELLED
}
