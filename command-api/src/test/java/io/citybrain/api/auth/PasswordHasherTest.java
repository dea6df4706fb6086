package io.citybrain.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.api.http.Role;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** bcrypt through Bouncy Castle, and roles that include the ones below them. */
class PasswordHasherTest {
  private final PasswordHasher hasher = new PasswordHasher(4);

  @Test
  @DisplayName("a hash is salted $2y$, verifies the password and nothing else")
  void hashes() {
    String hash = hasher.hash("correct-horse-battery");
    assertThat(hash).startsWith("$2y$04$").isNotEqualTo(hasher.hash("correct-horse-battery"));
    assertThat(hasher.matches("correct-horse-battery", hash)).isTrue();
    assertThat(hasher.matches("correct-horse-batterx", hash)).isFalse();
    assertThat(hasher.matches("anything", "not a hash")).isFalse();
    assertThatThrownBy(() -> hasher.hash("short"))
        .hasMessage("password must be at least 12 characters");
    assertThatThrownBy(() -> hasher.hash("x".repeat(73)))
        .hasMessage("password must be at most 72 bytes (bcrypt's limit)");
    assertThat(hasher.generate()).hasSize(20).isNotEqualTo(hasher.generate());
  }

  @Test
  @DisplayName("a coordinator is also an operator and a viewer, never an admin")
  void roles() {
    assertThat(Role.COORDINATOR.grantedIds()).containsExactly("viewer", "operator", "coordinator");
    assertThat(Role.COORDINATOR.includes(Role.ADMIN)).isFalse();
    assertThat(Role.parse("king")).isEmpty();
  }
}
