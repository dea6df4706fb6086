package io.citybrain.storage;

import io.citybrain.settings.InvalidSettingException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The database role the API and the stream job run as (V9 creates it, every migration grants it):
 * given a login password here, by the owner, once.
 */
public final class RuntimeRole {
  /** The runtime role's name unless configured. */
  public static final String DEFAULT_NAME = "citybrain_app";

  /** The setting's name in messages. */
  public static final String SETTING = "database runtime role";

  private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private RuntimeRole() {}

  /** Fails unless {@code name} is a plain lower-case PostgreSQL identifier (it goes into SQL). */
  public static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidSettingException(
          SETTING,
          "must be a lower-case identifier of letters, digits and _ (at most 63), was '"
              + name
              + "'");
    }
    return name;
  }

  /**
   * Lets the role log in. With a {@code password} it is set; without one a role that cannot log in
   * yet gets a generated password (returned, to be shown once), and one that can is left alone.
   */
  public static Login provision(DataSource owner, String name, String password) {
    checkName(name);
    for (int attempt = 1; ; attempt++) {
      try {
        return provisionOnce(owner, name, password);
      } catch (StorageException e) {
        // Two processes setting the same cluster-wide role at once: PostgreSQL refuses the second
        // ("tuple concurrently updated"); the next try sees the first one's result.
        boolean concurrent =
            e.getCause() instanceof SQLException sql
                && String.valueOf(sql.getMessage()).contains("concurrently updated");
        if (!concurrent || attempt == 3) {
          throw e;
        }
      }
    }
  }

  private static Login provisionOnce(DataSource owner, String name, String password) {
    try (Connection c = owner.getConnection()) {
      boolean canLogin;
      try (PreparedStatement ps =
          c.prepareStatement("SELECT rolcanlogin, rolsuper FROM pg_roles WHERE rolname = ?")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new StorageException(
                "database runtime role " + name + " does not exist: run citybrain migrate first",
                null);
          }
          if (rs.getBoolean(2)) {
            throw new StorageException(
                "database runtime role " + name + " is a superuser; it must not be", null);
          }
          canLogin = rs.getBoolean(1);
        }
      }
      if (password == null && canLogin) {
        return new Login(name, null, false);
      }
      String effective = password != null ? password : generate();
      try (PreparedStatement ps =
              c.prepareStatement("SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', ?, ?)");
          Statement st = c.createStatement()) {
        ps.setString(1, name);
        ps.setString(2, effective);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          st.execute(rs.getString(1));
        }
      }
      return new Login(name, effective, password == null);
    } catch (SQLException e) {
      throw new StorageException("cannot set up the database runtime role " + name, e);
    }
  }

  /**
   * Grants the runtime role what it needs, after every migration, so tables that later migrations
   * add are covered: read and write the tables, only add to the audit log and the work items'
   * history, only read the migration history. Idempotent; the owner keeps DDL and the triggers
   * (which only an owner may drop).
   */
  static void grant(DataSource owner, String name) {
    checkName(name);
    String[] statements = {
      "GRANT USAGE ON SCHEMA %1$I TO %2$I",
      "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %1$I TO %2$I",
      "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %1$I TO %2$I",
      "REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON %1$I.audit_log FROM %2$I",
      "REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON %1$I.work_event FROM %2$I",
      "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON %1$I.flyway_schema_history FROM %2$I"
    };
    try (Connection c = owner.getConnection();
        Statement st = c.createStatement()) {
      for (String statement : statements) {
        try (PreparedStatement ps =
            c.prepareStatement("SELECT format(?, current_schema(), ?::text)")) {
          ps.setString(1, statement);
          ps.setString(2, name);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            st.execute(rs.getString(1));
          }
        }
      }
    } catch (SQLException e) {
      throw new StorageException("cannot grant the tables to the database runtime role " + name, e);
    }
  }

  /** A password of 32 random bytes, URL-safe, so it can sit in a JDBC URL unescaped. */
  public static String generate() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * What {@link #provision} did: {@code password} is null when the role was left as it was, and
   * {@code generated} says it is new and shown nowhere else.
   */
  public record Login(String role, String password, boolean generated) {}
}
