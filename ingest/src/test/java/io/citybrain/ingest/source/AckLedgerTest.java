package io.citybrain.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What each checkpoint covers: messages are acknowledged only when a checkpoint that covers them
 * completes, everything up to that checkpoint at once, and never twice.
 */
class AckLedgerTest {
  private final AckLedger ledger = new AckLedger();

  @Test
  @DisplayName("a checkpoint covers what was emitted before its snapshot, nothing after")
  void checkpointCoversEmittedBeforeSnapshot() {
    ledger.emitted(0, 1);
    ledger.emitted(1, 7);
    ledger.snapshot(1);
    ledger.emitted(0, 2);

    assertThat(acks(ledger.complete(1))).containsExactly("0/1", "1/7");
    assertThat(ledger.unacknowledged()).as("emitted after the snapshot").isEqualTo(1);
  }

  @Test
  @DisplayName(
      "completing a checkpoint acknowledges every earlier one not yet completed, then forgets them")
  void completionSubsumesEarlierCheckpoints() {
    ledger.emitted(0, 1);
    ledger.snapshot(1);
    ledger.emitted(0, 2);
    ledger.snapshot(2);
    ledger.emitted(0, 3);
    ledger.snapshot(3);

    assertThat(acks(ledger.complete(2))).containsExactly("0/1", "0/2");
    assertThat(ledger.complete(2)).as("nothing acknowledged twice").isEmpty();
    assertThat(ledger.unacknowledged()).isEqualTo(1);
    assertThat(acks(ledger.complete(3))).containsExactly("0/3");
    assertThat(ledger.unacknowledged()).isZero();
  }

  @Test
  @DisplayName("a checkpoint that never completes leaves its messages unacknowledged (redelivery)")
  void abortedCheckpointKeepsMessagesOutstanding() {
    ledger.emitted(2, 40);
    ledger.snapshot(5);
    assertThat(ledger.complete(4)).isEmpty();
    assertThat(ledger.unacknowledged()).isEqualTo(1);
  }

  @Test
  @DisplayName("lanes and packet ids survive packing, up to 65535 and past the initial capacity")
  void packsLaneAndPacketId() {
    for (int i = 0; i < 3_000; i++) {
      ledger.emitted(i % 3, 65_535 - i);
    }
    ledger.snapshot(1);
    List<String> acks = acks(ledger.complete(1));
    assertThat(acks).hasSize(3_000).startsWith("0/65535", "1/65534", "2/65533");
  }

  private static List<String> acks(List<long[]> completed) {
    List<String> acks = new ArrayList<>();
    for (long[] checkpoint : completed) {
      for (long packed : checkpoint) {
        acks.add(AckLedger.lane(packed) + "/" + AckLedger.packetId(packed));
      }
    }
    return acks;
  }
}
