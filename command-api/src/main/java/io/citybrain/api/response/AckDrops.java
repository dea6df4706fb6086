package io.citybrain.api.response;

import io.citybrain.settings.LogText;
import io.citybrain.settings.LogThrottle;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acks dropped before any check (too large, not an ack at all, or one too many of a topic waiting
 * in a standby's inbox), logged at most once per reason every ten seconds with how many went
 * unlogged, and counted: a device publishing junk on its own ack topic fills no disk.
 */
final class AckDrops {
  private static final Logger LOG = LoggerFactory.getLogger(AckDrops.class);
  private final LogThrottle throttle;
  private final AtomicLong dropped = new AtomicLong();

  AckDrops() {
    this(new LogThrottle(LogThrottle.EVERY_TEN_SECONDS));
  }

  AckDrops(LogThrottle throttle) {
    this.throttle = throttle;
  }

  /** Acks dropped so far, for every reason. */
  long dropped() {
    return dropped.get();
  }

  void inboxFull(String topic, int cap) {
    dropped.incrementAndGet();
    OptionalLong unlogged = throttle.admit("inbox full");
    if (unlogged.isPresent()) {
      LOG.warn(
          "ack on {} dropped: {} of its acks already wait for the leader{}",
          LogText.quote(topic),
          cap,
          LogThrottle.unloggedNote(unlogged.getAsLong()));
    }
  }

  void oversized(String topic, int bytes) {
    dropped.incrementAndGet();
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
    dropped.incrementAndGet();
    OptionalLong unlogged = throttle.admit("undecodable");
    if (unlogged.isPresent()) {
      LOG.warn(
          "undecodable ack on {}{}",
          LogText.quote(topic),
          LogThrottle.unloggedNote(unlogged.getAsLong()));
    }
  }
}
