package io.citybrain.ingest.source;

import java.io.Serializable;
import java.util.function.ToLongFunction;

/**
 * The event time a message gives its lane's watermark ({@link Long#MIN_VALUE}: none), computed once
 * in the source: the record carries it to the watermark generator, and the lane keeps the highest
 * in its checkpoint.
 */
@FunctionalInterface
public interface LaneEventTime extends Serializable {
  /** No event time: the lanes keep none, and the watermark strategy assigns its own. */
  LaneEventTime NONE = () -> record -> Long.MIN_VALUE;

  /** The function, opened on the task (it may load what it needs, such as a registry). */
  ToLongFunction<MqttRecord> open() throws Exception;
}
