package io.citybrain.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The runtime role on a real PostgreSQL: created and granted by the migration, let in with a
 * generated password, and unable to rewrite or unprotect the audit log.
 */
@ExtendWith(CityServicesExtension.class)
class RuntimeRoleIT {
  /** Roles are cluster-wide and builds run side by side: each run its own. */
  private static final String ROLE =
      "cb_rt_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

  private static DataSource owner;
  private static RuntimeRole.Login login;
  private static HikariDataSource runtime;

  @BeforeAll
  static void migrate(TestServices services) {
    owner = services.dataSource();
    Schema.migrate(owner, ROLE);
    login = RuntimeRole.provision(owner, ROLE, null);
    runtime =
        DataSources.pooled(
            DataSources.withLogin(services.jdbcUrl(), ROLE, login.password()), "runtime-it", 2);
  }

  @AfterAll
  static void dropRole() throws SQLException {
    if (runtime != null) {
      runtime.close();
    }
    try (Connection c = owner.getConnection();
        Statement st = c.createStatement()) {
      st.execute("DROP OWNED BY " + ROLE);
      st.execute("DROP ROLE " + ROLE);
    }
  }

  @Test
  @DisplayName("an absent password is generated once; a second provision leaves the role alone")
  void passwordGeneratedOnce() {
    assertThat(login.generated()).isTrue();
    assertThat(login.password()).hasSizeGreaterThanOrEqualTo(40);
    RuntimeRole.Login again = RuntimeRole.provision(owner, ROLE, null);
    assertThat(again.password()).isNull();
    assertThat(again.generated()).isFalse();
  }

  @Test
  @DisplayName("the runtime role is no superuser, owns no table and logs in")
  void notSuperuserNotOwner() throws SQLException {
    assertThat(scalar(runtime, "SELECT current_user")).isEqualTo(ROLE);
    assertThat(scalar(runtime, "SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user"))
        .isEqualTo("false");
    assertThat(
            scalar(owner, "SELECT count(*)::text FROM pg_tables WHERE tableowner = '" + ROLE + "'"))
        .isEqualTo("0");
  }

  @Test
  @DisplayName("it writes and reads the pipeline's tables")
  void writesTables() throws SQLException {
    execute(
        runtime,
        "INSERT INTO pipeline_accounting (district, counter, reason, value) VALUES ('RT', 'received', '', 1)"
            + " ON CONFLICT (district, counter, reason) DO UPDATE SET value = pipeline_accounting.value + 1");
    assertThat(
            scalar(runtime, "SELECT count(*)::text FROM pipeline_accounting WHERE district = 'RT'"))
        .isEqualTo("1");
  }

  @Test
  @DisplayName(
      "its writes of alerts and work events write their notification events (V14's triggers), and"
          + " it queues and records webhook deliveries")
  void notificationEvents() throws SQLException {
    execute(
        owner, "INSERT INTO district VALUES ('RTN', 'x', 'x', 1, 1, 1, 1) ON CONFLICT DO NOTHING");
    execute(
        runtime,
        "INSERT INTO alert (alert_id, rule_id, district, metric, severity, state, value, threshold,"
            + " raised_at) VALUES ('rt-a1', 'rt-r1', 'RTN', 'pm25', 'low', 'raised', 1, 1, now())"
            + " ON CONFLICT DO NOTHING");
    execute(
        runtime,
        "INSERT INTO work_event (kind, item_id, district, action, actor)"
            + " VALUES ('case', 'rt-c1', 'RTN', 'overdue', 'system')");
    assertThat(
            scalar(
                runtime,
                "SELECT string_agg(type, ',' ORDER BY id) FROM notification_event"
                    + " WHERE district = 'RTN'"))
        .isEqualTo("alert.raised,case.overdue");
    execute(
        runtime,
        "WITH s AS (INSERT INTO webhook_subscription (name, url, secret, events, created_by)"
            + " VALUES ('rt', 'http://127.0.0.1/', 'x', '{alert.raised}', 'rt') RETURNING id)"
            + " INSERT INTO webhook_delivery (subscription_id, event_id) SELECT s.id, e.id FROM s,"
            + " notification_event e WHERE e.district = 'RTN'");
    execute(
        runtime,
        "INSERT INTO webhook_attempt (delivery_id, attempt, status, duration_ms)"
            + " SELECT id, 1, 200, 3 FROM webhook_delivery");
    execute(runtime, "UPDATE notification_event SET fanned_out = true WHERE district = 'RTN'");
    assertThat(scalar(runtime, "SELECT count(*)::text FROM webhook_attempt")).isEqualTo("2");
  }

  @Test
  @DisplayName(
      "it may insert into and read the audit log, never update, delete, truncate it nor touch its"
          + " triggers")
  void auditLogInsertOnly() throws SQLException {
    execute(
        runtime,
        "INSERT INTO audit_log (actor, action, outcome) VALUES ('runtime-it', 'probe', 'allowed')");
    assertThat(scalar(runtime, "SELECT count(*)::text FROM audit_log WHERE actor = 'runtime-it'"))
        .isEqualTo("1");
    for (String sql :
        new String[] {
          "UPDATE audit_log SET outcome = 'denied'",
          "DELETE FROM audit_log",
          "TRUNCATE audit_log",
          "ALTER TABLE audit_log DISABLE TRIGGER ALL",
          "DROP TRIGGER audit_log_no_update_delete ON audit_log",
          "DROP TRIGGER audit_log_no_truncate ON audit_log",
          "DROP TABLE audit_log",
          "DELETE FROM flyway_schema_history"
        }) {
      assertThatThrownBy(() -> execute(runtime, sql))
          .as(sql)
          .isInstanceOfSatisfying(
              SQLException.class,
              e ->
                  assertThat(e.getSQLState())
                      .as(e.getMessage())
                      // insufficient_privilege (42501): refused by rights, not by the trigger.
                      .isEqualTo("42501"));
    }
    assertThat(
            scalar(
                owner,
                "SELECT count(*)::text FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass"
                    + " AND NOT tgisinternal AND tgenabled <> 'D'"))
        .isEqualTo("2");
  }

  @Test
  @DisplayName("a bad role name stops the migration with the setting's name")
  void badRoleName() {
    assertThatThrownBy(() -> Schema.migrate(owner, "Robert'); DROP TABLE audit_log;--"))
        .hasMessageContaining("database runtime role must be a lower-case identifier");
    assertThatThrownBy(() -> RuntimeRole.provision(owner, "no_such_role_" + ROLE, null))
        .hasMessageContaining("does not exist");
  }

  private static void execute(DataSource db, String sql) throws SQLException {
    try (Connection c = db.getConnection();
        Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private static String scalar(DataSource db, String sql) throws SQLException {
    try (Connection c = db.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1).toLowerCase(Locale.ROOT);
    }
  }
}
