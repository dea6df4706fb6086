package io.citybrain.api.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.api.http.Caller;
import io.citybrain.api.http.Role;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LiveTicketsTest {
  private static final Caller CALLER = new Caller("coord-dp", Role.COORDINATOR, Set.of("DP"));
  private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

  @Test
  @DisplayName("A ticket admits its caller once, within its lifetime, never past the token's")
  void oneTimeAndShortLived() {
    LiveTickets tickets = new LiveTickets();
    Instant tokenExpiry = NOW.plusSeconds(3600);
    LiveTickets.Issued issued = tickets.issue(CALLER, tokenExpiry, 0, NOW);
    assertThat(issued.expiresAt()).isEqualTo(NOW.plus(LiveTickets.TTL));
    LiveTickets.Pending spent = tickets.spend(issued.ticket(), NOW.plusSeconds(1));
    assertThat(spent.caller()).isEqualTo(CALLER);
    assertThat(spent.tokenExpiresAt()).isEqualTo(tokenExpiry);
    assertThat(tickets.spend(issued.ticket(), NOW.plusSeconds(2))).as("spent").isNull();

    LiveTickets.Issued late = tickets.issue(CALLER, tokenExpiry, 0, NOW);
    assertThat(tickets.spend(late.ticket(), NOW.plus(LiveTickets.TTL))).as("expired").isNull();

    LiveTickets.Issued shortToken = tickets.issue(CALLER, NOW.plusSeconds(5), 0, NOW);
    assertThat(shortToken.expiresAt()).isEqualTo(NOW.plusSeconds(5));
    assertThat(tickets.spend(shortToken.ticket(), NOW.plusSeconds(6))).isNull();
    assertThat(tickets.spend("no-such-ticket", NOW)).isNull();
    assertThat(tickets.spend(null, NOW)).isNull();
  }

  @Test
  @DisplayName("Tickets are unguessable and their number is bounded")
  void randomAndBounded() {
    LiveTickets tickets = new LiveTickets();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < LiveTickets.MAX_PENDING + 500; i++) {
      String ticket = tickets.issue(CALLER, null, 0, NOW).ticket();
      assertThat(ticket).hasSizeGreaterThanOrEqualTo(43);
      seen.add(ticket);
    }
    assertThat(seen).hasSize(LiveTickets.MAX_PENDING + 500);
    assertThat(tickets.size()).isLessThanOrEqualTo(LiveTickets.MAX_PENDING);
    // Expired ones go first.
    tickets.issue(CALLER, null, 0, NOW.plus(LiveTickets.TTL).plusSeconds(1));
    assertThat(tickets.size()).isEqualTo(1);
  }
}
