package io.citybrain.api.read;

import io.citybrain.api.cases.CaseStats;
import io.citybrain.api.db.Db;
import io.citybrain.api.db.Rows;
import io.citybrain.api.http.ReadScope;
import io.citybrain.api.work.WorkKind;
import io.citybrain.proto.AlertStates;
import io.citybrain.proto.IncidentState;
import io.citybrain.proto.Severities;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The read side's queries: each runs on the database workers and answers on the caller's event
 * loop. The summary's rows are shared by the requests of one cache period.
 */
public final class ReadStore {
  /** Most urgent first, by the severity the API escalated an alert to, else the job's. */
  static final String SEVERITY_RANK = Severities.sqlRank("coalesce(escalated_severity, severity)");

  static final int RECENT_DEAD_LETTERS = 5;
  private final Db db;
  private final long summaryCacheNanos;

  /**
   * The summary's database part per scope, shared by the requests of one cache period and by
   * concurrent ones (event loop). Bounded: beyond {@link #MAX_CACHED_SCOPES} scopes it starts over.
   */
  private final Map<ReadScope, Cached> summaryRows = new HashMap<>();

  static final int MAX_CACHED_SCOPES = 64;

  /** One scope's rows and when they were asked for. */
  private record Cached(Future<JsonObject> rows, long at) {}

  /**
   * @param summaryCache how long the summary's database part is reused (zero: never)
   */
  public ReadStore(Db db, Duration summaryCache) {
    this.db = db;
    this.summaryCacheNanos = summaryCache.toNanos();
  }

  /** The stored snapshot of every district that has one, by district code. */
  Future<JsonObject> storedSnapshots() {
    return db.query(ReadStore::storedSnapshots);
  }

  Future<List<JsonObject>> history(
      String district, String metric, Resolution resolution, Instant from, Instant to) {
    return db.query(c -> history(c, district, metric, resolution, from, to));
  }

  /** A page of devices in the scope: after a device id (keyset) or, capped, by offset. */
  Future<JsonObject> devices(ReadScope scope, DeviceFilter filter, Page page) {
    return db.query(c -> devices(c, scope, filter, page));
  }

  /** What a device list is filtered by (null: any). */
  record DeviceFilter(String kind, String deviceClass, Boolean online) {}

  /** A page: at most {@code limit} rows after the keyset cursor, or after skipping offset rows. */
  record Page(int limit, int offset, String after) {}

  /** The scope's alerts, filtered by the job's state and by people's handling (null: any). */
  /**
   * @param suppressed only alerts a maintenance window muted (true), only the others (false), or
   *     all (null)
   */
  Future<List<JsonObject>> alerts(
      ReadScope scope, String state, String handling, Boolean suppressed, int limit) {
    return db.query(c -> alerts(c, scope, state, handling, suppressed, limit));
  }

  Future<List<JsonObject>> incidents(ReadScope scope, String state, int limit) {
    return db.query(c -> incidents(c, scope, state, false, limit));
  }

  Future<List<JsonObject>> accounting(ReadScope scope) {
    return db.query(c -> accounting(c, scope));
  }

  /**
   * The pipeline's totals in the scope, whether they balance, and the scope's dead letters (a dead
   * letter without a district is the city's); no rate: see the meter.
   */
  Future<JsonObject> pipeline(ReadScope scope) {
    return db.query(c -> pipeline(c, scope));
  }

  /**
   * What the summary needs from the database: stored snapshots, counts, the top alerts, open
   * incidents and the case rates. One database round for every request within the cache period;
   * requests during the round wait for it.
   */
  Future<JsonObject> summaryRows(ReadScope scope) {
    long now = System.nanoTime();
    Cached cached = summaryRows.get(scope);
    if (cached != null && (!cached.rows().isComplete() || now - cached.at() < summaryCacheNanos)) {
      return cached.rows();
    }
    if (summaryRows.size() >= MAX_CACHED_SCOPES) {
      summaryRows.clear();
    }
    Instant at = Instant.now();
    Future<JsonObject> rows = db.query(c -> summaryRows(c, scope, at));
    Cached entry = new Cached(rows, now);
    summaryRows.put(scope, entry);
    rows.onFailure(e -> summaryRows.remove(scope, entry));
    return rows;
  }

  private static JsonObject summaryRows(Connection c, ReadScope scope, Instant at)
      throws SQLException {
    return new JsonObject()
        .put("stored", storedSnapshots(c))
        .put("counts", counts(c))
        .put("top_alerts", new JsonArray(alerts(c, scope, AlertStates.RAISED, null, false, 5)))
        .put("open_incidents", new JsonArray(incidents(c, scope, null, true, 10)))
        .put(
            "cases",
            CaseStats.rates(c, null, Instant.EPOCH, at.plusSeconds(1), scope).stream()
                .findFirst()
                .orElse(null));
  }

  private static JsonObject pipeline(Connection c, ReadScope scope) throws SQLException {
    List<JsonObject> districts = accounting(c, scope);
    long received = 0;
    long stored = 0;
    long duplicate = 0;
    long late = 0;
    long rejected = 0;
    JsonArray unbalanced = new JsonArray();
    for (JsonObject d : districts) {
      received += d.getLong("received");
      stored += d.getLong("stored");
      duplicate += d.getLong("duplicate");
      late += d.getLong("late");
      rejected += d.getLong("rejected");
      if (!d.getBoolean("balanced")) {
        unbalanced.add(d.getString("district"));
      }
    }
    JsonObject byReason = new JsonObject();
    long lastHour = 0;
    List<Object> scoped = new ArrayList<>();
    String inScope = scope.condition("district", scoped);
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    "SELECT reason, count(*) FROM dead_letter WHERE received_at > now() - interval"
                        + " '1 hour' AND "
                        + inScope
                        + " GROUP BY reason ORDER BY reason"),
                scoped.toArray());
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        byReason.put(rs.getString(1), rs.getLong(2));
        lastHour += rs.getLong(2);
      }
    }
    List<Object> recentParams = new ArrayList<>(scoped);
    recentParams.add(RECENT_DEAD_LETTERS);
    List<JsonObject> recent =
        list(
            c,
            "SELECT received_at, topic, district, reason, detail FROM dead_letter WHERE "
                + inScope
                + " ORDER BY received_at DESC LIMIT ?",
            recentParams);
    return new JsonObject()
        .put("generated_at", Instant.now().toString())
        .put("received", received)
        .put("stored", stored)
        .put("duplicate", duplicate)
        .put("late", late)
        .put("rejected", rejected)
        .put("balanced", unbalanced.isEmpty())
        .put("unbalanced_districts", unbalanced)
        .put(
            "dead_letters",
            new JsonObject()
                .put("last_hour", lastHour)
                .put("by_reason", byReason)
                .put("recent", new JsonArray(recent)));
  }

  private static JsonObject storedSnapshots(Connection c) throws SQLException {
    JsonObject out = new JsonObject();
    try (PreparedStatement ps =
            c.prepareStatement("SELECT district, snapshot FROM district_snapshot");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), new JsonObject(rs.getString(2)));
      }
    }
    return out;
  }

  private static List<JsonObject> alerts(
      Connection c, ReadScope scope, String state, String handling, Boolean suppressed, int limit)
      throws SQLException {
    StringBuilder sql =
        new StringBuilder(
            """
        SELECT alert_id, rule_id, district, metric, severity, state, handling, value, threshold, raised_at,
               cleared_at, acknowledged_by, assignee, resolved_by,
               coalesce(escalated_severity, severity) AS effective_severity, escalation_level,
               suppressed_by, suppressed_by IS NOT NULL AS suppressed
        FROM alert WHERE true""");
    List<Object> params = new ArrayList<>();
    scope.where(sql, params, "district");
    filter(sql, params, "state", state);
    filter(sql, params, "handling", handling);
    if (suppressed != null) {
      sql.append(suppressed ? " AND suppressed_by IS NOT NULL" : " AND suppressed_by IS NULL");
    }
    sql.append(" ORDER BY ").append(SEVERITY_RANK).append(" DESC, raised_at DESC LIMIT ?");
    params.add(limit);
    List<JsonObject> alerts = list(c, sql.toString(), params);
    // What people may do about each: the wall shows these as its actions.
    alerts.forEach(
        a ->
            a.put(
                "allowed_transitions",
                new JsonArray(WorkKind.ALERT.flow().allowed(a.getString("handling")))));
    return alerts;
  }

  /**
   * @param active only incidents still needing someone (not resolved or closed)
   */
  private static List<JsonObject> incidents(
      Connection c, ReadScope scope, String state, boolean active, int limit) throws SQLException {
    StringBuilder sql =
        new StringBuilder(
            """
        SELECT incident_id, pattern_id, district, severity, state, started_at, detected_at, summary, evidence,
               response_plan_id, alert_ids, acknowledged_by, acknowledged_at, resolved_by, resolved_at, closed_by,
               closed_at
        FROM incident WHERE true""");
    List<Object> params = new ArrayList<>();
    scope.where(sql, params, "district");
    filter(sql, params, "state", state);
    if (active) {
      sql.append(" AND state NOT IN (?, ?)");
      IncidentState.ENDED.forEach(e -> params.add(e.word()));
    }
    sql.append(" ORDER BY detected_at DESC LIMIT ?");
    params.add(limit);
    return list(c, sql.toString(), params);
  }

  /**
   * Devices with liveness, a page of them and the total that match. A page after a cursor (the last
   * device id seen) is found by the primary key, however deep; offsets are capped by the document.
   */
  private static JsonObject devices(Connection c, ReadScope scope, DeviceFilter filter, Page page)
      throws SQLException {
    StringBuilder where = new StringBuilder(" WHERE true");
    List<Object> params = new ArrayList<>();
    scope.where(where, params, "d.district");
    filter(where, params, "d.kind", filter.kind());
    filter(where, params, "d.device_class", filter.deviceClass());
    if (filter.online() != null) {
      where.append(" AND coalesce(s.online, false) = ?");
      params.add(filter.online());
    }
    String from = " FROM device d LEFT JOIN device_status s ON s.device_id = d.device_id";
    long total;
    try (PreparedStatement ps =
            Rows.bind(c.prepareStatement("SELECT count(*)" + from + where), params.toArray());
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      total = rs.getLong(1);
    }
    List<Object> pageParams = new ArrayList<>(params);
    StringBuilder pageWhere = new StringBuilder(where);
    filterAfter(pageWhere, pageParams, "d.device_id", page.after());
    pageParams.add(page.limit());
    pageParams.add(page.after() == null ? page.offset() : 0);
    List<JsonObject> items =
        list(
            c,
            """
        SELECT d.device_id, d.district, d.kind, d.device_class, d.lat, d.lon, d.interval_s,
               coalesce(s.online, false) AS online, s.last_seen_at"""
                + from
                + pageWhere
                + " ORDER BY d.device_id LIMIT ? OFFSET ?",
            pageParams);
    String next =
        items.size() == page.limit() ? items.get(items.size() - 1).getString("device_id") : null;
    return new JsonObject()
        .put("items", new JsonArray(items))
        .put("total", total)
        .put("limit", page.limit())
        .put("offset", page.after() == null ? page.offset() : 0)
        .put("next", next);
  }

  /**
   * One metric's history: raw 10 s / 60 s windows from district_metric, or the hourly/daily views.
   */
  private static List<JsonObject> history(
      Connection c, String district, String metric, Resolution resolution, Instant from, Instant to)
      throws SQLException {
    String sql =
        switch (resolution) {
          case TEN_SECONDS, ONE_MINUTE ->
              """
          SELECT window_start AS t, count, min, max, mean, sum, p95 FROM district_metric
          WHERE district = ? AND metric = ? AND window_start >= ? AND window_start < ? AND resolution_s = ?
          ORDER BY window_start""";
          case HOURLY, DAILY ->
              "SELECT bucket AS t, count, min, max, mean, sum, NULL::double precision AS p95 FROM "
                  + resolution.view()
                  + " WHERE district = ? AND metric = ? AND bucket >= ? AND bucket < ? ORDER BY bucket";
        };
    List<Object> params = new ArrayList<>(List.of(district, metric, from, to));
    if (resolution.view() == null) {
      params.add((int) resolution.step().toSeconds());
    }
    return list(c, sql, params);
  }

  /**
   * received = stored + duplicate + late + rejected per district, rejected broken down by reason.
   */
  private static List<JsonObject> accounting(Connection c, ReadScope scope) throws SQLException {
    StringBuilder sql =
        new StringBuilder(
            "SELECT district, counter, reason, value, updated_at FROM pipeline_accounting WHERE true");
    List<Object> params = new ArrayList<>();
    scope.where(sql, params, "district");
    sql.append(" ORDER BY district, counter, reason");
    Map<String, JsonObject> byDistrict = new LinkedHashMap<>();
    for (JsonObject row : list(c, sql.toString(), params)) {
      JsonObject d =
          byDistrict.computeIfAbsent(
              row.getString("district"),
              k ->
                  new JsonObject()
                      .put("district", k)
                      .put("received", 0L)
                      .put("stored", 0L)
                      .put("duplicate", 0L)
                      .put("late", 0L)
                      .put("rejected", 0L)
                      .put("rejected_by_reason", new JsonObject())
                      .put("updated_at", row.getString("updated_at")));
      String counter = row.getString("counter");
      long value = row.getLong("value");
      d.put(counter, d.getLong(counter) + value);
      if ("rejected".equals(counter) && !row.getString("reason").isEmpty()) {
        d.getJsonObject("rejected_by_reason").put(row.getString("reason"), value);
      }
      if (row.getString("updated_at").compareTo(d.getString("updated_at")) > 0) {
        d.put("updated_at", row.getString("updated_at"));
      }
    }
    List<JsonObject> out = new ArrayList<>();
    for (JsonObject d : byDistrict.values()) {
      long accounted =
          d.getLong("stored") + d.getLong("duplicate") + d.getLong("late") + d.getLong("rejected");
      out.add(d.put("balanced", accounted == d.getLong("received")));
    }
    return out;
  }

  /** Open alerts and incidents per district, and the city's device liveness. */
  private static JsonObject counts(Connection c) throws SQLException {
    JsonObject alerts = new JsonObject();
    JsonObject incidents = new JsonObject();
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    """
        SELECT 'a', district, count(*) FROM alert WHERE state = ? GROUP BY district
        UNION ALL SELECT 'i', district, count(*) FROM incident WHERE NOT state = ANY (?) GROUP BY district"""),
                AlertStates.RAISED,
                IncidentState.ENDED.stream().map(IncidentState::word).toArray(String[]::new));
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        (rs.getString(1).equals("a") ? alerts : incidents).put(rs.getString(2), rs.getLong(3));
      }
    }
    JsonObject out = new JsonObject().put("alerts", alerts).put("incidents", incidents);
    try (PreparedStatement ps =
            c.prepareStatement(
                """
        SELECT d.district, count(*), count(*) FILTER (WHERE s.online)
        FROM device d LEFT JOIN device_status s ON s.device_id = d.device_id GROUP BY d.district""");
        ResultSet rs = ps.executeQuery()) {
      JsonObject devices = new JsonObject();
      while (rs.next()) {
        devices.put(
            rs.getString(1),
            new JsonObject().put("total", rs.getLong(2)).put("online", rs.getLong(3)));
      }
      out.put("devices", devices);
    }
    return out;
  }

  private static void filter(StringBuilder sql, List<Object> params, String column, Object value) {
    if (value != null) {
      sql.append(" AND ").append(column).append(" = ?");
      params.add(value);
    }
  }

  private static void filterAfter(
      StringBuilder sql, List<Object> params, String column, String after) {
    if (after != null) {
      sql.append(" AND ").append(column).append(" > ?");
      params.add(after);
    }
  }

  private static List<JsonObject> list(Connection c, String sql, List<Object> params)
      throws SQLException {
    try (PreparedStatement ps = Rows.bind(c.prepareStatement(sql), params.toArray());
        ResultSet rs = ps.executeQuery()) {
      return Rows.all(rs);
    }
  }
}
