package io.citybrain.settings;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {
  @Test
  void aForgerCannotWriteALogLineOfItsOwn() {
    assertThat(LogText.quote("FT\n2026-12-01 INFO forged"))
        .isEqualTo("'FT\\u000a2026-12-01 INFO forged'");
    assertThat(LogText.quote("a'b\\c")).isEqualTo("'a\\u0027b\\u005cc'");
    assertThat(LogText.quote("福田")).isEqualTo("'\\u798f\\u7530'");
    assertThat(LogText.quote("x".repeat(500))).hasSize(120 + 5).endsWith("'...");
    assertThat(LogText.quote(null)).isEqualTo("(none)");
  }
}
