package io.citybrain.api.live;

import io.citybrain.api.http.Caller;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * One-time, short-lived tickets for the live WebSocket, so a browser never puts its token in a URL
 * (where logs and histories keep it): an authenticated POST gets one, the upgrade spends it. Used
 * on the API's event loop only.
 */
public final class LiveTickets {
  /** How long a ticket may wait for its upgrade. */
  public static final Duration TTL = Duration.ofSeconds(30);

  /** Tickets waiting at once; the oldest go first beyond it. */
  static final int MAX_PENDING = 10_000;

  private final SecureRandom random = new SecureRandom();
  private final Map<String, Pending> pending = new HashMap<>();

  /** Who a ticket admits, until when, and when the token behind it expires and its version. */
  record Pending(Caller caller, Instant validUntil, Instant tokenExpiresAt, int tokenVersion) {}

  /**
   * A new ticket for the caller whose token expires at {@code tokenExpiresAt} and carries {@code
   * tokenVersion}.
   */
  public Issued issue(Caller caller, Instant tokenExpiresAt, int tokenVersion, Instant now) {
    purge(now);
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String ticket = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Instant until = now.plus(TTL);
    if (tokenExpiresAt != null && tokenExpiresAt.isBefore(until)) {
      until = tokenExpiresAt;
    }
    pending.put(ticket, new Pending(caller, until, tokenExpiresAt, tokenVersion));
    return new Issued(ticket, until);
  }

  /** A ticket as handed out. */
  public record Issued(String ticket, Instant expiresAt) {}

  /** The ticket's holder, once: a spent, unknown or expired ticket is null. */
  Pending spend(String ticket, Instant now) {
    Pending found = ticket == null ? null : pending.remove(ticket);
    return found == null || !now.isBefore(found.validUntil()) ? null : found;
  }

  /** Drops the user's unspent tickets: the token they were issued for was revoked. */
  void revoke(String user) {
    pending.values().removeIf(p -> p.caller().name().equals(user));
  }

  int size() {
    return pending.size();
  }

  private void purge(Instant now) {
    pending.values().removeIf(p -> !now.isBefore(p.validUntil()));
    // Insertion order is lost in a HashMap; beyond the bound any ticket may go, which only makes
    // its holder ask again.
    Iterator<String> it = pending.keySet().iterator();
    while (pending.size() >= MAX_PENDING && it.hasNext()) {
      it.next();
      it.remove();
    }
  }
}
