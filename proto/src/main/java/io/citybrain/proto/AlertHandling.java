package io.citybrain.proto;

/**
 * What people did about an alert (column {@code alert.handling}), beside the job's raised/cleared:
 * new, acknowledged by an operator, resolved by one.
 */
public enum AlertHandling implements Word {
  NEW,
  ACKNOWLEDGED,
  RESOLVED
}
