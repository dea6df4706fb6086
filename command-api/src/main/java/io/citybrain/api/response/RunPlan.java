package io.citybrain.api.response;

import java.util.List;
import java.util.Map;

/**
 * A run about to be dispatched: its id, plan, district, deadline and one item per target command.
 */
public record RunPlan(
    String runId,
    String planId,
    String district,
    long issuedAtMs,
    long expiresAtMs,
    List<Item> items) {

  public RunPlan {
    items = List.copyOf(items);
  }

  /** One command to one device. */
  public record Item(
      String commandId, String deviceId, String action, Map<String, String> params) {}
}
