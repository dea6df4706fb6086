package io.citybrain.ingest.validate;

import java.util.Locale;

/**
 * Why a message went to the dead letters; the code is what the dead_letter table and the accounting
 * record.
 */
public enum RejectReason {
  /** The topic is not city/v1/{district}/{class}/{id}. */
  MALFORMED_TOPIC,
  /** The payload is not a message of the topic's class. */
  UNDECODABLE,
  /** A required field (device id, seq, event time, metric) is missing. */
  MISSING_FIELD,
  /** The payload names another device, district or class than its topic. */
  TOPIC_MISMATCH,
  /** The device is not in the registry. */
  UNKNOWN_DEVICE,
  /**
   * The registry puts the device in another district, or it is of another class than the message.
   */
  REGISTRY_MISMATCH,
  /** The metric kind is not in the reference data. */
  UNKNOWN_METRIC,
  /** The value is outside the metric kind's valid range. */
  OUT_OF_RANGE,
  /** The event time is further in the future than the configured limit. */
  FUTURE_EVENT_TIME,
  /**
   * The event time is before 2000-01-01: a clock that was never set, or a value the database cannot
   * store.
   */
  ANCIENT_EVENT_TIME,
  /** A text field holds a NUL character, which PostgreSQL text cannot store. */
  INVALID_TEXT,
  /** A gateway batch with nothing in it. */
  EMPTY_BATCH,
  /** The seq is 2^63 or more (uint64 on the wire): beyond what a device's window can count. */
  SEQ_OUT_OF_RANGE,
  /**
   * The seq is further above the device's highest than the stream job's maximum jump: a forged or
   * corrupt seq would otherwise make every later real one look old.
   */
  SEQ_JUMP,
  /** The camera event type is not one of the reference data's camera event types. */
  UNKNOWN_EVENT_TYPE,
  /** An id or a free-text field is longer than its limit ({@link Text}). */
  TEXT_TOO_LONG,
  /**
   * A stream operator failed on this item (a value it cannot handle, a bug): dead-lettered with the
   * exception instead of failing the task, which would bring the same item back forever.
   */
  PROCESSING_FAILED;

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }
}
