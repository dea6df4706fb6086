package io.citybrain.simulators;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.proto.sign.CommandSignature;
import io.citybrain.proto.v1.Command;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The device's checks of a command, each refusal by its word, in the documented order. */
class CommandCheckTest {
  private static final long NOW = 1_790_000_000_000L;
  private static final String TOPIC = "city/v1/DP/cmd/DP-PMP-00001";
  private final KeyPair api = keys();
  private final KeyPair other = keys();
  private final CommandCheck check =
      new CommandCheck(new CommandSignature(api.getPublic(), "k1"), Duration.ofMinutes(5));

  private static KeyPair keys() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Command.Builder command(long expiresAt) {
    return Command.newBuilder()
        .setCommandId("c-1")
        .setDeviceId("DP-PMP-00001")
        .setDistrict("DP")
        .setAction("start_pump")
        .setIssuedAtMs(NOW)
        .setExpiresAtMs(expiresAt)
        .setAttempt(1);
  }

  private Optional<String> refusal(Command c, boolean retained) {
    return check.refusal(TOPIC, retained, c, NOW);
  }

  private Command signed(Command.Builder c) {
    return CommandSignature.sign(c, api.getPrivate(), "k1");
  }

  @Test
  @DisplayName("a signed, addressed, unexpired command within the lifetime passes")
  void passes() {
    assertThat(refusal(signed(command(NOW + 10_000)), false)).isEmpty();
  }

  @Test
  @DisplayName("each refusal names why, and the signature is checked before anything else")
  void refusals() {
    assertThat(refusal(command(NOW + 10_000).build(), false)).contains("unsigned");
    assertThat(
            refusal(CommandSignature.sign(command(NOW + 10_000), other.getPrivate(), "k2"), false))
        .contains("unknown key");
    assertThat(
            refusal(CommandSignature.sign(command(NOW + 10_000), other.getPrivate(), "k1"), false))
        .contains("bad signature");
    // Retained and expired at once, unsigned: the signature's refusal comes first.
    assertThat(refusal(command(NOW - 1).build(), true)).contains("unsigned");
    assertThat(refusal(signed(command(NOW + 10_000)), true).orElseThrow()).startsWith("retained");
    assertThat(refusal(signed(command(NOW + 10_000).setDistrict("FT")), false).orElseThrow())
        .startsWith("misaddressed");
    assertThat(refusal(signed(command(NOW + 10_000).setDeviceId("DP-PMP-00002")), false))
        .hasValueSatisfying(r -> assertThat(r).startsWith("misaddressed: for DP-PMP-00002 in DP"));
    assertThat(refusal(signed(command(0)), false)).contains("no expiry");
    assertThat(refusal(signed(command(NOW - 1)), false).orElseThrow())
        .isEqualTo("expired at " + (NOW - 1) + " (now " + NOW + ")");
    assertThat(refusal(signed(command(NOW + 300_001)), false).orElseThrow())
        .isEqualTo("expiry too far ahead: 300001 ms, more than the 300000 ms a command may live");
    assertThat(refusal(signed(command(NOW + 300_000)), false)).isEmpty();
  }
}
