package io.citybrain.ingest.source;

/** A lane's state in its reader: the highest event time it has emitted so far. */
final class LaneProgress {
  final int lane;
  long eventTimeMs;

  LaneProgress(MqttLaneSplit split) {
    this.lane = split.lane();
    this.eventTimeMs = split.eventTimeMs();
  }

  void emitted(long eventTime) {
    if (eventTime > eventTimeMs) {
      eventTimeMs = eventTime;
    }
  }

  MqttLaneSplit toSplit() {
    return new MqttLaneSplit(lane, eventTimeMs);
  }
}
