package io.citybrain.ingest.source;

import org.apache.flink.api.connector.source.SourceSplit;

/**
 * One subscription lane: an MQTT connection with a stable client id. It holds no offsets: the
 * broker keeps them.
 */
public record MqttLaneSplit(int lane) implements SourceSplit {
  @Override
  public String splitId() {
    return "lane-" + lane;
  }
}
