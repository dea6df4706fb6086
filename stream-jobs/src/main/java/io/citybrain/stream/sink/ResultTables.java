package io.citybrain.stream.sink;

import com.google.protobuf.InvalidProtocolBufferException;
import io.citybrain.proto.ResultJson;
import io.citybrain.proto.v1.CitySummary;
import io.citybrain.proto.v1.DistrictSnapshot;
import io.citybrain.stream.alert.AlertEvent;
import io.citybrain.stream.incident.IncidentEvent;
import io.citybrain.stream.incident.IncidentGate;
import io.citybrain.stream.liveness.LivenessChange;
import io.citybrain.stream.metric.EventCount;
import io.citybrain.stream.metric.WindowStats;
import io.citybrain.stream.situation.CityRecord;
import io.citybrain.stream.situation.SituationRecord;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;

/**
 * The job's result tables as Flink JDBC sinks: every statement is an idempotent upsert keyed as the
 * table is, so the at-least-once sink (flushed at every checkpoint) and replays after a failure
 * leave each row as a single run would.
 */
public final class ResultTables implements ResultSinks {
  /**
   * A raise: the partial unique index on open alerts makes two raises of one rule and district one
   * alert, however close together they come (AlertRaiseRaceIT).
   */
  static final String RAISE =
      """
      INSERT INTO alert (alert_id, rule_id, district, metric, severity, state, value, threshold, raised_at)
      VALUES (?, ?, ?, ?, ?, 'raised', ?, ?, ?)
      ON CONFLICT DO NOTHING""";

  private final JdbcConnectionOptions connection;
  private final JdbcExecutionOptions execution;

  public ResultTables(String jdbcUrl) {
    this.connection =
        new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
            .withUrl(jdbcUrl)
            .withDriverName("org.postgresql.Driver")
            .build();
    this.execution =
        JdbcExecutionOptions.builder()
            .withBatchSize(1_000)
            .withBatchIntervalMs(200)
            .withMaxRetries(3)
            .build();
  }

  /**
   * A window's row only grows: a late firing adds readings. A smaller count is a window reopened
   * after a restore with only replayed readings, and must not replace the complete row.
   */
  @Override
  public JdbcSink<WindowStats> metrics() {
    return sink(
        """
        INSERT INTO district_metric (district, metric, resolution_s, window_start, count, min, max, sum, mean, p95)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (district, metric, resolution_s, window_start) DO UPDATE SET count = EXCLUDED.count,
          min = EXCLUDED.min, max = EXCLUDED.max, sum = EXCLUDED.sum, mean = EXCLUDED.mean, p95 = EXCLUDED.p95,
          updated_at = now()
        WHERE district_metric.count <= EXCLUDED.count""",
        (ps, s) -> {
          ps.setString(1, s.district);
          ps.setString(2, s.metric);
          ps.setInt(3, s.resolutionS);
          ps.setObject(4, time(s.windowStartMs));
          ps.setLong(5, s.count);
          ps.setDouble(6, s.min);
          ps.setDouble(7, s.max);
          ps.setDouble(8, s.sum);
          ps.setDouble(9, s.mean);
          if (s.p95 == null) {
            ps.setNull(10, Types.DOUBLE);
          } else {
            ps.setDouble(10, s.p95);
          }
        });
  }

  @Override
  public JdbcSink<EventCount> eventCounts() {
    return sink(
        """
        INSERT INTO district_event_count (district, event_type, resolution_s, window_start, count)
        VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (district, event_type, resolution_s, window_start) DO UPDATE SET count = EXCLUDED.count,
          updated_at = now()
        WHERE district_event_count.count <= EXCLUDED.count""",
        (ps, c) -> {
          ps.setString(1, c.district);
          ps.setString(2, c.eventType);
          ps.setInt(3, c.resolutionS);
          ps.setObject(4, time(c.windowStartMs));
          ps.setLong(5, c.count);
        });
  }

  /**
   * Raises: inserted, or nothing when the alert (or another open alert of the same rule and
   * district, which the partial unique index refuses) is there already. A raise must never fail the
   * job: it would come back at every restart. A clear arriving first (the two sinks flush
   * independently) leaves the raise nothing to do.
   */
  @Override
  public JdbcSink<AlertEvent> alertRaises() {
    return sink(
        RAISE,
        (ps, a) -> {
          ps.setString(1, a.alertId);
          ps.setString(2, a.ruleId);
          ps.setString(3, a.district);
          ps.setString(4, a.metric);
          ps.setString(5, a.severity);
          ps.setDouble(6, a.raisedValue);
          ps.setDouble(7, a.threshold);
          ps.setObject(8, time(a.raisedAtMs));
        });
  }

  /**
   * Clears: closes the alert (inserting it cleared if its raise is not stored yet), and any other
   * alert of the same rule and district still open from before (a job started without its state),
   * so a district never keeps a stale alert.
   */
  @Override
  public JdbcSink<AlertEvent> alertClears() {
    return sink(
        """
        WITH stale AS (
          UPDATE alert SET state = 'cleared', cleared_at = ?, clear_value = ?
          WHERE rule_id = ? AND district = ? AND state = 'raised' AND alert_id <> ?)
        INSERT INTO alert (alert_id, rule_id, district, metric, severity, state, value, threshold, raised_at,
                           cleared_at, clear_value)
        VALUES (?, ?, ?, ?, ?, 'cleared', ?, ?, ?, ?, ?)
        ON CONFLICT (alert_id) DO UPDATE SET state = 'cleared', cleared_at = EXCLUDED.cleared_at,
          clear_value = EXCLUDED.clear_value""",
        (ps, a) -> {
          ps.setObject(1, time(a.clearedAtMs));
          ps.setDouble(2, a.value);
          ps.setString(3, a.ruleId);
          ps.setString(4, a.district);
          ps.setString(5, a.alertId);
          ps.setString(6, a.alertId);
          ps.setString(7, a.ruleId);
          ps.setString(8, a.district);
          ps.setString(9, a.metric);
          ps.setString(10, a.severity);
          ps.setDouble(11, a.raisedValue);
          ps.setDouble(12, a.threshold);
          ps.setObject(13, time(a.raisedAtMs));
          ps.setObject(14, time(a.clearedAtMs));
          ps.setDouble(15, a.value);
        });
  }

  /** The latest picture per district; an older window never overwrites a newer one. */
  @Override
  public JdbcSink<SituationRecord> snapshots() {
    return sink(
        """
        INSERT INTO district_snapshot (district, window_end, situation_index, online_rate, snapshot)
        VALUES (?, ?, ?, ?, ?::jsonb)
        ON CONFLICT (district) DO UPDATE SET window_end = EXCLUDED.window_end,
          situation_index = EXCLUDED.situation_index, online_rate = EXCLUDED.online_rate,
          snapshot = EXCLUDED.snapshot, updated_at = now()
        WHERE district_snapshot.window_end <= EXCLUDED.window_end""",
        (ps, r) -> {
          ps.setString(1, r.district);
          ps.setObject(2, time(r.windowEndMs));
          ps.setDouble(3, r.situationIndex);
          ps.setDouble(4, r.onlineRate);
          ps.setString(5, json(r.snapshot, false));
        });
  }

  @Override
  public JdbcSink<CityRecord> citySummary() {
    return sink(
        """
        INSERT INTO city_summary (id, window_end, situation_index, online_rate, summary) VALUES (1, ?, ?, ?, ?::jsonb)
        ON CONFLICT (id) DO UPDATE SET window_end = EXCLUDED.window_end, situation_index = EXCLUDED.situation_index,
          online_rate = EXCLUDED.online_rate, summary = EXCLUDED.summary, updated_at = now()
        WHERE city_summary.window_end <= EXCLUDED.window_end""",
        (ps, r) -> {
          ps.setObject(1, time(r.windowEndMs));
          ps.setDouble(2, r.situationIndex);
          ps.setDouble(3, r.onlineRate);
          ps.setString(4, json(r.summary, true));
        });
  }

  /** The latest status per device; an older change never overwrites a newer one. */
  @Override
  public JdbcSink<LivenessChange> deviceStatus() {
    return sink(
        """
        INSERT INTO device_status (device_id, online, last_seen_at, changed_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (device_id) DO UPDATE SET online = EXCLUDED.online, last_seen_at = EXCLUDED.last_seen_at,
          changed_at = EXCLUDED.changed_at
        WHERE device_status.changed_at <= EXCLUDED.changed_at""",
        (ps, c) -> {
          ps.setString(1, c.deviceId);
          ps.setBoolean(2, c.online);
          ps.setObject(3, time(c.lastSeenMs));
          ps.setObject(4, time(c.atMs));
        });
  }

  @Override
  public JdbcSink<LivenessChange> livenessHistory() {
    return sink(
        """
        INSERT INTO device_liveness_change (device_id, district, online, at) VALUES (?, ?, ?, ?)
        ON CONFLICT DO NOTHING""",
        (ps, c) -> {
          ps.setString(1, c.deviceId);
          ps.setString(2, c.district);
          ps.setBoolean(3, c.online);
          ps.setObject(4, time(c.atMs));
        });
  }

  /**
   * An incident widened by the gate: the sorted distinct union of the stored and the new alert ids,
   * and the union of the evidence in the gate's order (IncidentGate.EVIDENCE_ORDER, text compared
   * byte-wise as Java does), oldest IncidentGate.EVIDENCE_CAP kept. A union is the same whatever
   * order and however often the rows come (a replay after a restore), and a row that links no new
   * alert (a replayed insert or widening) changes nothing. The state and the people's columns
   * belong to the command API and are never written here; nor is state, so the V14 trigger (AFTER
   * INSERT OR UPDATE OF state) makes no incident.opened or incident.closed event of a widening.
   */
  static final String INCIDENT =
      """
      INSERT INTO incident (incident_id, pattern_id, district, severity, started_at, detected_at, summary, evidence,
                            response_plan_id, alert_ids)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)
      ON CONFLICT (incident_id) DO UPDATE SET
        alert_ids = ARRAY(SELECT a FROM (SELECT DISTINCT a FROM unnest(incident.alert_ids || EXCLUDED.alert_ids) AS u(a)) d
                          ORDER BY a COLLATE "C"),
        evidence = (SELECT coalesce(jsonb_agg(e ORDER BY (e->>'event_time')::timestamptz, e->>'kind' COLLATE "C",
                                              e->>'what' COLLATE "C", coalesce(e->>'device_id', '') COLLATE "C",
                                              (e->>'seq')::bigint, (e->>'value')::float8, e::text), '[]'::jsonb)
                    FROM (SELECT e FROM (SELECT DISTINCT e FROM jsonb_array_elements(incident.evidence || EXCLUDED.evidence) AS x(e)) d
                          ORDER BY (e->>'event_time')::timestamptz, e->>'kind' COLLATE "C", e->>'what' COLLATE "C",
                                   coalesce(e->>'device_id', '') COLLATE "C", (e->>'seq')::bigint, (e->>'value')::float8,
                                   e::text
                          LIMIT %d) capped)
      WHERE NOT incident.alert_ids @> EXCLUDED.alert_ids"""
          .formatted(IncidentGate.EVIDENCE_CAP);

  /**
   * Incidents are inserted once and widened by the gate's later revisions ({@link #INCIDENT});
   * their state (open, acknowledged, responding, resolved, closed) belongs to the command API.
   */
  @Override
  public JdbcSink<IncidentEvent> incidents() {
    return sink(INCIDENT, ResultTables::bindIncident);
  }

  /** Binds one incident (first detection or widening) to {@link #INCIDENT}. */
  static void bindIncident(PreparedStatement ps, IncidentEvent i) throws SQLException {
    ps.setString(1, i.incidentId);
    ps.setString(2, i.patternId);
    ps.setString(3, i.district);
    ps.setString(4, i.severity);
    ps.setObject(5, time(i.startedAtMs));
    ps.setObject(6, time(i.detectedAtMs));
    ps.setString(7, i.summary);
    ps.setString(8, ResultJson.encode(ResultJson.evidence(i.toProto().getEvidenceList())));
    ps.setString(9, i.responsePlanId);
    ps.setArray(10, ps.getConnection().createArrayOf("text", i.alertIds.toArray()));
  }

  private <T> JdbcSink<T> sink(String sql, JdbcStatementBuilder<T> binder) {
    return JdbcSink.<T>builder()
        .withQueryStatement(sql, binder)
        .withExecutionOptions(execution)
        .buildAtLeastOnce(connection);
  }

  private static OffsetDateTime time(long epochMs) {
    return Instant.ofEpochMilli(epochMs).atOffset(ZoneOffset.UTC);
  }

  private static String json(byte[] proto, boolean city) throws SQLException {
    try {
      return ResultJson.encode(
          city
              ? ResultJson.citySummary(CitySummary.parseFrom(proto))
              : ResultJson.snapshot(DistrictSnapshot.parseFrom(proto)));
    } catch (InvalidProtocolBufferException e) {
      throw new SQLException("a result that is not its own protobuf: " + e.getMessage(), e);
    }
  }
}
