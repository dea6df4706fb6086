package io.citybrain.proto;

import java.util.List;

/**
 * Where an incident stands (table {@code incident}): detected, acknowledged by an operator, being
 * responded to (a plan triggered), resolved, and closed by a coordinator.
 */
public enum IncidentState implements Word {
  OPEN,
  ACKNOWLEDGED,
  RESPONDING,
  RESOLVED,
  CLOSED;

  /** The states an incident no longer needs anyone in (not counted as open). */
  public static final List<IncidentState> ENDED = List.of(RESOLVED, CLOSED);
}
