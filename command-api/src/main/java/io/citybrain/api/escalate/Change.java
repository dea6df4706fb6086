package io.citybrain.api.escalate;

import io.vertx.core.json.JsonObject;

/**
 * One thing a scan did to one item (escalated, reminded, overdue, resolved for no data), to push to
 * the item's district as a {@code work} frame.
 */
public record Change(String kind, String change, String district, JsonObject item) {

  /** The live frame's data: {@code {kind, change, item}}, as WorkRoutes pushes a person's move. */
  public JsonObject frame() {
    return new JsonObject().put("kind", kind).put("change", change).put("item", item);
  }
}
