package io.citybrain.ingest.source;

/** A message as a lane received it, with what acknowledging it later needs. */
record Delivery(int lane, String topic, byte[] payload, int packetId, int qos, long receivedAtMs) {
  /** Put in the hand-off queue by {@code wakeUp()} to end a blocking fetch early. */
  static final Delivery WAKE_UP = new Delivery(-1, "", new byte[0], 0, 0, 0);
}
