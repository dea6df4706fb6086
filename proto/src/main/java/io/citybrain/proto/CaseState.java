package io.citybrain.proto;

/**
 * The grid-governance cycle of a case: discover, dispatch, handle, resolve, confirm (or reopen),
 * and the feedback that closes it (table {@code grid_case}).
 */
public enum CaseState implements Word {
  DISCOVERED,
  DISPATCHED,
  HANDLING,
  RESOLVED,
  CONFIRMED,
  REOPENED,
  CLOSED
}
