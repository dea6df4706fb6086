package io.citybrain.proto;

import io.citybrain.proto.v1.Severity;
import java.util.List;
import java.util.Locale;

/**
 * Severity in its three forms: the seeds' and database's word ({@code high}), the wire enum ({@code
 * SEVERITY_HIGH}) and the rank that orders them (critical 4 down to low 1).
 */
public final class Severities {
  /** Least to most urgent; a value's rank is its position plus one. */
  public static final List<String> WORDS = List.of("low", "medium", "high", "critical");

  private Severities() {}

  /** The wire enum of a word; unknown words are an {@link IllegalArgumentException}. */
  public static Severity of(String word) {
    if (!WORDS.contains(word)) {
      throw new IllegalArgumentException(
          "severity must be one of " + String.join(", ", WORDS) + ", was '" + word + "'");
    }
    return Severity.valueOf("SEVERITY_" + word.toUpperCase(Locale.ROOT));
  }

  /** The word of a wire value; unspecified is an {@link IllegalArgumentException}. */
  public static String word(Severity severity) {
    if (severity == Severity.SEVERITY_UNSPECIFIED || severity == Severity.UNRECOGNIZED) {
      throw new IllegalArgumentException("severity is not set (" + severity + ")");
    }
    return severity.name().substring("SEVERITY_".length()).toLowerCase(Locale.ROOT);
  }

  /** 1 (low) to 4 (critical); 0 for anything else. */
  public static int rank(String word) {
    return WORDS.indexOf(word) + 1;
  }

  /** The same rank as SQL over a text column, for ORDER BY: most urgent has the highest. */
  public static String sqlRank(String column) {
    StringBuilder sql = new StringBuilder("CASE ").append(column);
    for (int i = WORDS.size() - 1; i >= 0; i--) {
      sql.append(" WHEN '").append(WORDS.get(i)).append("' THEN ").append(i + 1);
    }
    return sql.append(" ELSE 0 END").toString();
  }
}
