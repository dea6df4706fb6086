package io.citybrain.ingest.source;

import org.apache.flink.api.connector.source.SourceSplit;

/**
 * One subscription lane: an MQTT connection with a stable client id. It holds no offsets (the
 * broker keeps them), only the highest event time the lane had given its watermark when the
 * checkpoint was taken ({@link Long#MIN_VALUE}: none), so that a restored lane starts where its
 * time stood instead of at the beginning of time.
 */
public record MqttLaneSplit(int lane, long eventTimeMs) implements SourceSplit {
  /** A lane that has given no event time yet. */
  public MqttLaneSplit(int lane) {
    this(lane, Long.MIN_VALUE);
  }

  @Override
  public String splitId() {
    return "lane-" + lane;
  }
}
