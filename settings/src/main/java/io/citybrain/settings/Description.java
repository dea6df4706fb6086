package io.citybrain.settings;

import java.util.ArrayList;
import java.util.List;

/**
 * Every setting of a configuration, one per line, as printed once at start (HikariCP's {@code
 * logConfiguration()}): URLs with their passwords masked, secrets shown only as set or not.
 */
public final class Description {
  private final String title;
  private final List<String[]> lines = new ArrayList<>();

  public Description(String title) {
    this.title = title;
  }

  public Description add(String setting, Object value) {
    lines.add(new String[] {setting, String.valueOf(value)});
    return this;
  }

  public Description url(String setting, String url) {
    return add(setting, url == null ? "(not set)" : Redact.url(url));
  }

  public Description secret(String setting, Object value) {
    return add(setting, Redact.secret(value));
  }

  /**
   * Every line of a part's description (its title left out): a configuration that holds another one
   * describes it in place, e.g. a simulator its MQTT settings.
   */
  public Description include(Described part) {
    lines.addAll(part.describe().lines);
    return this;
  }

  @Override
  public String toString() {
    int width = lines.stream().mapToInt(l -> l[0].length()).max().orElse(0);
    StringBuilder text = new StringBuilder(title).append(':');
    for (String[] line : lines) {
      text.append(System.lineSeparator())
          .append("  ")
          .append(line[0])
          .append(" ".repeat(width - line[0].length() + 2))
          .append(line[1]);
    }
    return text.toString();
  }
}
