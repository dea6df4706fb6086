package io.citybrain.api.response;

import io.citybrain.settings.LogText;
import io.citybrain.settings.LogThrottle;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acks dropped before any check (too large, or not an ack at all), logged at most once per reason
 * every ten seconds with how many went unlogged: a device publishing junk on its own ack topic
 * fills no disk.
 */
final class AckDrops {
  private static final Logger LOG = LoggerFactory.getLogger(AckDrops.class);
  private final LogThrottle throttle;

  AckDrops() {
    this(new LogThrottle(LogThrottle.EVERY_TEN_SECONDS));
  }

  AckDrops(LogThrottle throttle) {
    this.throttle = throttle;
  }

  void oversized(String topic, int bytes) {
    OptionalLong unlogged = throttle.admit("oversized");
    if (unlogged.isPresent()) {
      LOG.warn(
          "ack of {} bytes on {} dropped unread{}",
          bytes,
          LogText.quote(topic),
          LogThrottle.unloggedNote(unlogged.getAsLong()));
    }
  }

  void undecodable(String topic) {
    OptionalLong unlogged = throttle.admit("undecodable");
    if (unlogged.isPresent()) {
      LOG.warn(
          "undecodable ack on {}{}",
          LogText.quote(topic),
          LogThrottle.unloggedNote(unlogged.getAsLong()));
    }
  }
}
