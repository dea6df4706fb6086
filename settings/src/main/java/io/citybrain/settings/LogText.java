package io.citybrain.settings;

/**
 * Text from outside (a client id, a topic, a payload's district) made safe for one log line:
 * quoted, control and non-ASCII characters escaped, cut short, so a forger cannot write log lines
 * of its own.
 */
public final class LogText {
  private static final int MAX = 120;

  private LogText() {}

  public static String quote(String text) {
    if (text == null) {
      return "(none)";
    }
    StringBuilder out = new StringBuilder("'");
    for (int i = 0; i < text.length() && i < MAX; i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c >= 0x7f || c == '\'' || c == '\\') {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append(text.length() > MAX ? "'..." : "'").toString();
  }
}
