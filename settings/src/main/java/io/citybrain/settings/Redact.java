package io.citybrain.settings;

import java.util.regex.Pattern;

/** Masks what must not reach a log or a terminal: passwords in URLs, secrets' values. */
public final class Redact {
  public static final String MASK = "***";
  private static final Pattern QUERY_SECRET =
      Pattern.compile("(?i)([?&;](?:password|pass|pwd|secret|token)=)[^&;]*");
  private static final Pattern USER_INFO = Pattern.compile("(://[^/:@]*:)[^/@]*@");

  private Redact() {}

  /** The URL with any password (query parameter or user info) replaced by {@link #MASK}. */
  public static String url(String url) {
    if (url == null) {
      return null;
    }
    String masked = QUERY_SECRET.matcher(url).replaceAll("$1" + MASK);
    return USER_INFO.matcher(masked).replaceAll("$1" + MASK + "@");
  }

  /** A secret as a description shows it: whether it is set, never what it is. */
  public static String secret(Object value) {
    return value == null ? "(not set)" : MASK;
  }
}
