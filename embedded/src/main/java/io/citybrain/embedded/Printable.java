package io.citybrain.embedded;

/** A client's text made safe for one log line: quoted, control characters escaped, cut short. */
final class Printable {
  private static final int MAX = 200;

  private Printable() {}

  static String of(String text) {
    if (text == null) {
      return "(none)";
    }
    StringBuilder out = new StringBuilder("'");
    for (int i = 0; i < text.length() && i < MAX; i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '\'' || c == '\\') {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append(text.length() > MAX ? "'..." : "'").toString();
  }
}
