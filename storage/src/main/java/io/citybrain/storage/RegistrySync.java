package io.citybrain.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.citybrain.seeds.CameraEventType;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.Department;
import io.citybrain.seeds.Device;
import io.citybrain.seeds.District;
import io.citybrain.seeds.Fleet;
import io.citybrain.seeds.GridCaseCategory;
import io.citybrain.seeds.MetricKind;
import io.citybrain.seeds.ResponsePlan;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.postgresql.PGConnection;

/**
 * Makes the registry tables equal to the seeds and the expanded fleet, in one transaction.
 * Idempotent: a second sync of the same data changes no row. Devices that left the fleet are
 * deleted; districts and other reference rows are only added or updated, because history refers to
 * them.
 */
public final class RegistrySync {
  /** Serialises syncs from several processes (demo, simulators, API) on one database. */
  private static final long ADVISORY_LOCK = 0x43425245474953L;

  private static final ObjectMapper JSON =
      JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();

  private RegistrySync() {}

  public static RegistryReport sync(DataSource dataSource, CitySeeds seeds, Fleet fleet) {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        try (Statement lock = connection.createStatement()) {
          lock.execute("SELECT pg_advisory_xact_lock(" + ADVISORY_LOCK + ")");
        }
        referenceData(connection, seeds);
        int[] changes = devices(connection, fleet);
        meta(connection, fleet);
        connection.commit();
        return report(connection, changes);
      } catch (SQLException | IOException e) {
        try {
          connection.rollback();
        } catch (SQLException rollback) {
          e.addSuppressed(rollback);
        }
        throw e;
      }
    } catch (SQLException | IOException e) {
      throw new StorageException("registry sync failed", e);
    }
  }

  private static void referenceData(Connection c, CitySeeds seeds)
      throws SQLException, JsonProcessingException {
    try (PreparedStatement ps =
        c.prepareStatement(
            """
        INSERT INTO district (code, name_zh, name_en, lat, lon, area_km2, population) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (code) DO UPDATE SET name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en, lat = EXCLUDED.lat,
          lon = EXCLUDED.lon, area_km2 = EXCLUDED.area_km2, population = EXCLUDED.population""")) {
      for (District d : seeds.districts()) {
        bind(ps, d.code(), d.nameZh(), d.nameEn(), d.lat(), d.lon(), d.areaKm2(), d.population());
      }
      ps.executeBatch();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            """
        INSERT INTO metric_kind (id, name, unit, min_value, max_value, category) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, unit = EXCLUDED.unit, min_value = EXCLUDED.min_value,
          max_value = EXCLUDED.max_value, category = EXCLUDED.category""")) {
      for (MetricKind m : seeds.metrics()) {
        bind(
            ps,
            m.id(),
            m.name() == null ? m.id() : m.name(),
            m.unit(),
            m.min(),
            m.max(),
            m.category());
      }
      ps.executeBatch();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            """
        INSERT INTO department (id, name_zh, name_en) VALUES (?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en""")) {
      for (Department d : seeds.departments()) {
        bind(ps, d.id(), d.nameZh() == null ? d.nameEn() : d.nameZh(), d.nameEn());
      }
      ps.executeBatch();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            """
        INSERT INTO case_category (category, subtype, name_en, department, sla_hours) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (subtype) DO UPDATE SET category = EXCLUDED.category, name_en = EXCLUDED.name_en,
          department = EXCLUDED.department, sla_hours = EXCLUDED.sla_hours""")) {
      for (GridCaseCategory category : seeds.gridCaseCategories()) {
        for (GridCaseCategory.Subtype s : category.subtypes()) {
          bind(
              ps,
              category.id(),
              s.id(),
              s.nameEn() == null ? s.id() : s.nameEn(),
              s.department(),
              s.slaHours());
        }
      }
      ps.executeBatch();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            """
        INSERT INTO camera_event_type (id, name_zh, name_en, category, subtype, creates_case) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en,
          category = EXCLUDED.category, subtype = EXCLUDED.subtype, creates_case = EXCLUDED.creates_case""")) {
      for (CameraEventType t : seeds.cameraEventTypes()) {
        bind(
            ps,
            t.id(),
            t.nameZh() == null ? t.id() : t.nameZh(),
            t.nameEn() == null ? t.id() : t.nameEn(),
            t.category(),
            t.subtype(),
            t.createsCase());
      }
      ps.executeBatch();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            """
        INSERT INTO response_plan (plan_id, name_zh, name_en, command_ttl_s, definition) VALUES (?, ?, ?, ?, ?::jsonb)
        ON CONFLICT (plan_id) DO UPDATE SET name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en,
          command_ttl_s = EXCLUDED.command_ttl_s, definition = EXCLUDED.definition""")) {
      for (ResponsePlan p : seeds.responsePlans()) {
        bind(
            ps,
            p.id(),
            p.nameZh() == null ? p.nameEn() : p.nameZh(),
            p.nameEn(),
            p.commandTtlS(),
            JSON.writeValueAsString(p));
      }
      ps.executeBatch();
    }
  }

  /**
   * Returns {inserted, updated, deleted}. COPY into a temp table keeps a 100,000-device sync under
   * a second.
   */
  private static int[] devices(Connection c, Fleet fleet) throws SQLException, IOException {
    try (Statement st = c.createStatement()) {
      st.execute("CREATE TEMP TABLE device_incoming (LIKE device) ON COMMIT DROP");
    }
    StringBuilder csv = new StringBuilder(fleet.size() * 64);
    for (Device d : fleet.devices()) {
      csv.append(d.id())
          .append(',')
          .append(d.district())
          .append(',')
          .append(d.kind())
          .append(',')
          .append(d.deviceClass().name().toLowerCase(Locale.ROOT))
          .append(',')
          .append(d.lat())
          .append(',')
          .append(d.lon())
          .append(',')
          .append(d.intervalS())
          .append(',')
          .append(d.gatewayId() == null ? "" : d.gatewayId())
          .append('\n');
    }
    c.unwrap(PGConnection.class)
        .getCopyAPI()
        .copyIn(
            "COPY device_incoming (device_id, district, kind, device_class, lat, lon, interval_s, gateway_id) "
                + "FROM STDIN WITH (FORMAT csv)",
            new StringReader(csv.toString()));
    int inserted;
    int updated;
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                """
            WITH up AS (
              INSERT INTO device SELECT * FROM device_incoming
              ON CONFLICT (device_id) DO UPDATE SET district = EXCLUDED.district, kind = EXCLUDED.kind,
                device_class = EXCLUDED.device_class, lat = EXCLUDED.lat, lon = EXCLUDED.lon,
                interval_s = EXCLUDED.interval_s, gateway_id = EXCLUDED.gateway_id
              WHERE (device.district, device.kind, device.device_class, device.lat, device.lon, device.interval_s,
                     device.gateway_id)
                IS DISTINCT FROM (EXCLUDED.district, EXCLUDED.kind, EXCLUDED.device_class, EXCLUDED.lat,
                     EXCLUDED.lon, EXCLUDED.interval_s, EXCLUDED.gateway_id)
              RETURNING (xmax = 0) AS inserted)
            SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up""")) {
      rs.next();
      inserted = rs.getInt(1);
      updated = rs.getInt(2);
    }
    int deleted;
    try (Statement st = c.createStatement()) {
      deleted =
          st.executeUpdate(
              "DELETE FROM device d WHERE NOT EXISTS (SELECT 1 FROM device_incoming i WHERE i.device_id = d.device_id)");
    }
    return new int[] {inserted, updated, deleted};
  }

  private static void meta(Connection c, Fleet fleet) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            """
        INSERT INTO registry_meta (key, value) VALUES (?, ?)
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
        WHERE registry_meta.value IS DISTINCT FROM EXCLUDED.value""")) {
      for (Map.Entry<String, String> e :
          Map.of(
                  "fleet_seed",
                  Long.toString(fleet.seed()),
                  "fleet_scale",
                  Double.toString(fleet.scale()),
                  "device_count",
                  Integer.toString(fleet.size()))
              .entrySet()) {
        bind(ps, e.getKey(), e.getValue());
      }
      ps.executeBatch();
    }
  }

  private static RegistryReport report(Connection c, int[] changes) throws SQLException {
    Map<String, Integer> devices = new TreeMap<>();
    Map<String, Integer> cameras = new TreeMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                """
            SELECT district, count(*), count(*) FILTER (WHERE device_class = 'camera') FROM device GROUP BY district""")) {
      while (rs.next()) {
        devices.put(rs.getString(1), rs.getInt(2));
        cameras.put(rs.getString(1), rs.getInt(3));
      }
    }
    int districts;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM district")) {
      rs.next();
      districts = rs.getInt(1);
    }
    return new RegistryReport(districts, devices, cameras, changes[0], changes[1], changes[2]);
  }

  private static void bind(PreparedStatement ps, Object... values) throws SQLException {
    for (int i = 0; i < values.length; i++) {
      ps.setObject(i + 1, values[i]);
    }
    ps.addBatch();
  }
}
