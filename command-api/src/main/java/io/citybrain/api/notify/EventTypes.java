package io.citybrain.api.notify;

import java.util.List;

/** The events a subscription may ask for: those V14's triggers write to notification_event. */
public final class EventTypes {
  /** In the order the README lists them. */
  public static final List<String> ALL =
      List.of(
          "alert.raised",
          "alert.escalated",
          "alert.resolved",
          "incident.opened",
          "incident.closed",
          "task.overdue",
          "case.overdue");

  private EventTypes() {}

  public static boolean known(String type) {
    return ALL.contains(type);
  }
}
