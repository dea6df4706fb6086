package io.citybrain.testkit;

import io.citybrain.settings.Redact;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL server named by configuration: the URL's database is replaced by each test's own.
 */
final class ConfiguredDatabaseServer implements DatabaseServer {
  /** The shape of {@code CITYBRAIN_TEST_PG_URL}, checked by {@link TestServiceSettings}. */
  static final Pattern URL = Pattern.compile("(jdbc:postgresql://[^/?]+)(/[^?]*)?(\\?.*)?");

  private final String prefix;
  private final String query;
  private final String admin;

  ConfiguredDatabaseServer(String url) {
    Matcher m = URL.matcher(url);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a PostgreSQL server URL: " + Redact.url(url));
    }
    this.prefix = m.group(1);
    this.query = m.group(3) == null ? "" : m.group(3);
    this.admin =
        m.group(2) == null || m.group(2).length() <= 1 ? "postgres" : m.group(2).substring(1);
  }

  @Override
  public String jdbcUrl(String database) {
    return prefix + "/" + database + query;
  }

  @Override
  public String adminJdbcUrl() {
    return jdbcUrl(admin);
  }

  @Override
  public String describe() {
    return "configured PostgreSQL " + prefix;
  }
}
