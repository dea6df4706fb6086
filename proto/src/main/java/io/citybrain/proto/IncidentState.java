package io.citybrain.proto;

/** Where an incident stands (table {@code incident}): detected, being responded to, or closed. */
public enum IncidentState implements Word {
  OPEN,
  RESPONDING,
  CLOSED
}
