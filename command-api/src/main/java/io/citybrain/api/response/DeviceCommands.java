package io.citybrain.api.response;

import io.citybrain.api.auth.AuditLog;
import io.citybrain.api.db.Db;
import io.citybrain.api.db.Rows;
import io.citybrain.api.http.ApiException;
import io.citybrain.proto.RunState;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * One command to one device as a run of kind {@code single} (no plan, one target): stored, audited
 * and then dispatched, tracked, retried and resumed like a plan's run. At most one run per caller's
 * request id.
 */
public final class DeviceCommands {
  /**
   * How long a single command may be delivered: within what devices remember ({@link
   * io.citybrain.seeds.ResponsePlan#MAX_COMMAND_TTL_S}), as long as the seeds' plans give theirs.
   */
  static final int COMMAND_TTL_S = 120;

  private final Db db;

  public DeviceCommands(Db db) {
    this.db = db;
  }

  /** A device of the registry: where it is, its kind and class. */
  public record DeviceRef(String deviceId, String district, String kind, String deviceClass) {}

  /** One command to send: who asks, under which request id and hash, to which device. */
  record Send(
      String actor,
      String requestId,
      String requestHash,
      DeviceRef device,
      String action,
      Map<String, String> params) {}

  Future<Optional<DeviceRef>> device(String deviceId) {
    return db.query(
        c -> {
          try (PreparedStatement ps =
                  Rows.bind(
                      c.prepareStatement(
                          "SELECT district, kind, device_class FROM device WHERE device_id = ?"),
                      deviceId);
              ResultSet rs = ps.executeQuery()) {
            return rs.next()
                ? Optional.of(
                    new DeviceRef(deviceId, rs.getString(1), rs.getString(2), rs.getString(3)))
                : Optional.empty();
          }
        });
  }

  Future<Optional<JsonObject>> run(String runId) {
    return db.query(c -> ResponseStore.run(c, runId));
  }

  /** Stores the run with its one command, audited; a request id seen before answers its run. */
  Future<PlanRuns.Started> start(Send send) {
    return db.transaction(
        c -> {
          Optional<ResponseStore.PriorRun> existing =
              ResponseStore.runByRequestId(c, send.actor(), send.requestId());
          if (existing.isPresent()) {
            return repeated(c, send, existing.get());
          }
          // The same guard as a plan's: never sent beside a run that holds the device.
          RunGuards.lockCaller(c, send.actor());
          RunGuards.lockDistrict(c, send.device().district());
          Optional<RunGuards.Overlap> overlap =
              RunGuards.overlap(
                  c, send.device().district(), List.of(send.device().deviceId()), null);
          if (overlap.isPresent()) {
            throw PlanRuns.overlapping(overlap.get());
          }
          String runId = "run-" + UUID.randomUUID();
          long now = System.currentTimeMillis();
          RunPlan run =
              new RunPlan(
                  runId,
                  null,
                  send.device().district(),
                  now,
                  now + COMMAND_TTL_S * 1000L,
                  List.of(
                      new RunPlan.Item(
                          runId + "-c1", send.device().deviceId(), send.action(), send.params())));
          if (!ResponseStore.insertRun(
              c,
              run,
              send.requestId(),
              send.requestHash(),
              send.actor(),
              null,
              List.of(),
              RunState.RUNNING)) {
            return repeated(
                c,
                send,
                ResponseStore.runByRequestId(c, send.actor(), send.requestId()).orElseThrow());
          }
          AuditLog.append(c, entry(send, runId, "allowed"));
          return new PlanRuns.Started(runId, true, run);
        });
  }

  private static PlanRuns.Started repeated(Connection c, Send send, ResponseStore.PriorRun prior)
      throws SQLException {
    if (prior.requestHash() != null && !prior.requestHash().equals(send.requestHash())) {
      throw new ApiException(
          422,
          new JsonObject()
              .put("error", "request_id_reused")
              .put(
                  "reason",
                  "request_id '"
                      + send.requestId()
                      + "' was used for a different request; use a new request_id"));
    }
    AuditLog.append(c, entry(send, prior.runId(), "repeated"));
    return new PlanRuns.Started(prior.runId(), false, null);
  }

  private static AuditLog.Entry entry(Send send, String runId, String outcome) {
    return new AuditLog.Entry(
        send.actor(),
        "device_command",
        runId,
        send.device().district(),
        send.requestId(),
        outcome,
        new JsonObject()
            .put("device_id", send.device().deviceId())
            .put("action", send.action())
            .put("params", new JsonObject(Map.copyOf(send.params()))));
  }
}
