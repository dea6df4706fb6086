package io.citybrain.simulators.work;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * One kind of work as the simulated people who do it see it: where new items appear, where items
 * wait, and what they do next with an item as it is now.
 */
interface Desk {
  /** The item kind, as the counters name it: case, task, alert, incident. */
  String kind();

  /** The field of an item that identifies it. */
  String idField();

  /** The item's own route, e.g. {@code /api/v1/cases/gc-dp-1}. */
  String itemPath(String id);

  /** The API these people sign in to. */
  WorkApi api();

  /** Lists polled often: where new work appears. */
  List<String> arrivals();

  /** Lists swept now and then: where work waits (after a restart, or moved by someone else). */
  List<String> waiting();

  /** What the item is now, as far as the next decision goes: a new situation is a new decision. */
  String situation(JsonNode item);

  /** Whether an item in this situation is done with for good. */
  boolean finished(String situation);

  /**
   * What to do next with the item; empty when nothing (it is finished, or these people cannot
   * finish it). {@code draws} come from the workers' seed, the item, its situation and how often it
   * was decided before.
   */
  Optional<Action> next(JsonNode item, RandomGenerator draws);

  /**
   * One step: after {@code delay}, when {@code check} holds (or there is none), send {@code body}
   * to {@code path}. {@code replyIsItem}: the reply is the item after the step (else it is
   * fetched).
   */
  record Action(
      String label,
      Duration delay,
      Check check,
      String path,
      ObjectNode body,
      boolean replyIsItem) {}

  /** A condition read from the API before a step: a GET and what its reply must show. */
  record Check(String path, Predicate<JsonNode> holds) {}

  /** The common step: a lifecycle move of the item to {@code to}, with a note. */
  default Action move(String id, String label, Duration delay, String to, String note) {
    return new Action(
        label,
        delay,
        null,
        itemPath(id) + "/transitions",
        WorkApi.object().put("to", to).put("note", note),
        true);
  }

  static String text(JsonNode item, String field) {
    JsonNode value = item.path(field);
    return value.isMissingNode() || value.isNull() ? null : value.asText();
  }
}
