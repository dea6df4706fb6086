package io.citybrain.api.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.citybrain.settings.Check;
import java.time.Duration;

/**
 * The API's connection pool: it gives up on a connection after {@code connectionTimeout} (a few
 * seconds, not HikariCP's 30), so a request meets a database that does not answer with a 503 soon,
 * and checks an idle connection within a second before lending it.
 */
public final class ApiPool {
  /** No query of the API's takes this long; a database that does not answer within it is gone. */
  public static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(30);

  private ApiPool() {}

  public static HikariDataSource create(
      String jdbcUrl, String poolName, int size, Duration connectionTimeout) {
    Check.jdbcUrl(jdbcUrl, "database URL");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setPoolName(poolName);
    config.setMaximumPoolSize(size);
    config.setConnectionTimeout(connectionTimeout.toMillis());
    // HikariCP wants the validation below the connection timeout, and at least 250 ms.
    config.setValidationTimeout(Math.max(250, Math.min(1_000, connectionTimeout.toMillis() / 2)));
    config.addDataSourceProperty("reWriteBatchedInserts", "true");
    // A backstop for a connection lent just before the database stopped answering (HikariCP lends
    // one used within the last 500 ms unchecked): its query fails after this, freeing its worker.
    config.addDataSourceProperty("socketTimeout", Long.toString(SOCKET_TIMEOUT.toSeconds()));
    config.validate();
    return new HikariDataSource(config);
  }
}
