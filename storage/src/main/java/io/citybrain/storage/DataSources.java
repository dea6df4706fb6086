package io.citybrain.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.citybrain.settings.Check;
import io.citybrain.settings.InvalidSettingException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Connection pools (HikariCP) for CityBrain's processes. */
public final class DataSources {
  /**
   * Enough for a process that writes in batches; a pool larger than the cores the database has only
   * queues.
   */
  public static final int DEFAULT_POOL_SIZE = 8;

  private DataSources() {}

  /**
   * A pool on a JDBC URL that carries its own credentials (e.g. {@code ?user=postgres}). A bad
   * argument fails with an {@link InvalidSettingException} in the shared wording, the URL's
   * password masked (HikariCP's own messages would print the URL as it is).
   */
  public static HikariDataSource pooled(String jdbcUrl, String poolName, int maxSize) {
    Check.jdbcUrl(jdbcUrl, "database URL");
    Check.required(poolName, "pool name", "citybrain-api");
    Check.atLeast(maxSize, 1, "pool size");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setPoolName(poolName);
    config.setMaximumPoolSize(maxSize);
    // Batched inserts become multi-row inserts: several times faster for the registry and the
    // sinks.
    config.addDataSourceProperty("reWriteBatchedInserts", "true");
    config.validate();
    return new HikariDataSource(config);
  }

  /**
   * The same database as {@code jdbcUrl} with another login: its {@code user} and {@code password}
   * parameters replaced (the runtime role's URL from the owner's).
   */
  public static String withLogin(String jdbcUrl, String user, String password) {
    Check.jdbcUrl(jdbcUrl, "database URL");
    int q = jdbcUrl.indexOf('?');
    StringBuilder url = new StringBuilder(q < 0 ? jdbcUrl : jdbcUrl.substring(0, q));
    char sep = '?';
    if (q >= 0) {
      for (String param : jdbcUrl.substring(q + 1).split("&")) {
        String key = param.contains("=") ? param.substring(0, param.indexOf('=')) : param;
        if (param.isEmpty() || key.equals("user") || key.equals("password")) {
          continue;
        }
        url.append(sep).append(param);
        sep = '&';
      }
    }
    url.append(sep).append("user=").append(URLEncoder.encode(user, StandardCharsets.UTF_8));
    url.append("&password=").append(URLEncoder.encode(password, StandardCharsets.UTF_8));
    return url.toString();
  }
}
