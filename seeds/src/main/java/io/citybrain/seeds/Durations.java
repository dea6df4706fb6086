package io.citybrain.seeds;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads durations as people write them on a command line: 500ms, 10s, 5m, 2h, or ISO-8601 (PT30S).
 * No command-line library here: each CLI registers {@link #parse} as its converter.
 */
public final class Durations {
  private static final Pattern SHORT = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

  private Durations() {}

  /**
   * The duration, or an {@link IllegalArgumentException} that quotes the text and gives examples.
   */
  public static Duration parse(String value) {
    String text = value.trim().toLowerCase(Locale.ROOT);
    Matcher m = SHORT.matcher(text);
    if (m.matches()) {
      double amount = Double.parseDouble(m.group(1));
      long millis =
          Math.round(
              amount
                  * switch (m.group(2)) {
                    case "ms" -> 1;
                    case "s" -> 1_000;
                    case "m" -> 60_000;
                    default -> 3_600_000;
                  });
      return Duration.ofMillis(millis);
    }
    try {
      return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'" + value + "' is not a duration (e.g. 500ms, 10s, 5m, 2h, PT30S)", e);
    }
  }
}
