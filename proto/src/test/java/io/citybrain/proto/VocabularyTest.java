package io.citybrain.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.proto.v1.AckStatus;
import io.citybrain.proto.v1.Severity;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Words, enums and ranks agree both ways (the database side is checked by VocabularyIT). */
class VocabularyTest {

  @Test
  @DisplayName("severity words, wire values and ranks map both ways")
  void severities() {
    for (String word : Severities.WORDS) {
      assertThat(Severities.word(Severities.of(word))).isEqualTo(word);
    }
    assertThat(Severities.of("critical")).isEqualTo(Severity.SEVERITY_CRITICAL);
    assertThat(Severities.rank("critical")).isEqualTo(4);
    assertThat(Severities.rank("low")).isEqualTo(1);
    assertThat(Severities.rank("bogus")).isZero();
    assertThat(Severities.sqlRank("severity"))
        .isEqualTo(
            "CASE severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2"
                + " WHEN 'low' THEN 1 ELSE 0 END");
    assertThatThrownBy(() -> Severities.of("urgent"))
        .hasMessage("severity must be one of low, medium, high, critical, was 'urgent'");
    assertThatThrownBy(() -> Severities.word(Severity.SEVERITY_UNSPECIFIED))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName(
      "state words are the lower-case names and parse back; unknown words name the choices")
  void states() {
    assertThat(CommandState.TIMED_OUT.word()).isEqualTo("timed_out");
    assertThat(Word.parse(CommandState.class, "timed_out")).isEqualTo(CommandState.TIMED_OUT);
    assertThat(Word.parse(CaseState.class, "reopened")).isEqualTo(CaseState.REOPENED);
    assertThatThrownBy(() -> Word.parse(RunState.class, "paused"))
        .hasMessage(
            "'paused' is not a RunState (one of [running, completed, partially_failed, cancelled, cancelling, queued, awaiting_approval, rejected])");
    assertThat(CommandState.of(AckStatus.ACK_STATUS_DONE)).isEqualTo(CommandState.DONE);
    assertThat(CommandState.of(AckStatus.ACK_STATUS_UNSPECIFIED)).isNull();
  }
}
