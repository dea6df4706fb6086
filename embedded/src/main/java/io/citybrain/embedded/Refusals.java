package io.citybrain.embedded;

import io.citybrain.access.Principal;
import io.citybrain.settings.LogText;
import io.citybrain.settings.LogThrottle;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The broker's log of refused logins, publishes and subscriptions: every one at DEBUG, and per kind
 * at most one line every ten seconds at INFO (WARN for a client id taken over) saying how many went
 * unlogged, so a client retrying a forbidden publish in a loop fills no disk. Thread-safe: HiveMQ
 * calls it from its worker threads.
 */
final class Refusals {
  private static final Logger LOG = LoggerFactory.getLogger(Refusals.class);
  private final LogThrottle throttle = new LogThrottle(LogThrottle.EVERY_TEN_SECONDS);

  void publish(Principal principal, String topic, String why) {
    log(
        Level.INFO,
        "publish",
        () -> "refused a publish by " + principal + " on " + LogText.quote(topic) + ": " + why);
  }

  void subscribe(Principal principal, String filter) {
    log(
        Level.INFO,
        "subscribe",
        () -> "refused a subscription by " + principal + " to " + LogText.quote(filter));
  }

  void anonymous(String clientId) {
    log(
        Level.INFO,
        "anonymous",
        () -> "refused an anonymous connection (client id " + LogText.quote(clientId) + ")");
  }

  void badLogin(String username) {
    log(
        Level.INFO,
        "bad login",
        () -> "refused a bad login for username " + LogText.quote(username));
  }

  void clientIdTaken(Principal principal, String clientId) {
    log(
        Level.WARN,
        "client id",
        () ->
            "refused "
                + principal
                + ": client id "
                + LogText.quote(clientId)
                + " belongs to another principal");
  }

  private void log(Level level, String kind, Supplier<String> line) {
    OptionalLong unlogged = throttle.admit(kind);
    if (unlogged.isPresent()) {
      LOG.atLevel(level).log(line.get() + LogThrottle.unloggedNote(unlogged.getAsLong()));
    } else if (LOG.isDebugEnabled()) {
      LOG.debug(line.get());
    }
  }
}
