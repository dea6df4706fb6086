package io.citybrain.api.response;

import io.citybrain.api.auth.AuditLog;
import io.citybrain.api.db.Db;
import io.citybrain.proto.Topics;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes refused acks to the audit log, at most {@link #PER_SECOND} a second so that a flood of
 * forged acks cannot fill the table; the rest are counted ({@link #unaudited}), and the count goes
 * into the next entry written. Runs on the event loop.
 *
 * <p>The entry's actor and district are the ack topic's, which the broker lets only that device (or
 * its district's gateway) publish on; the device id the payload claims is a forger's to choose, so
 * it goes into the detail only.
 */
final class RefusedAcks {
  static final int PER_SECOND = 20;
  private static final Logger LOG = LoggerFactory.getLogger(RefusedAcks.class);
  private final Db db;
  private long second = -1;
  private int inSecond;
  private long refused;
  private long unaudited;
  private long unauditedSinceLast;

  RefusedAcks(Db db) {
    this.db = db;
  }

  void refuse(
      String topic,
      String claimedDeviceId,
      String commandId,
      String status,
      String reason,
      long nowMs) {
    refused++;
    long s = nowMs / 1000;
    if (s != second) {
      second = s;
      inSecond = 0;
    }
    if (++inSecond > PER_SECOND) {
      unaudited++;
      unauditedSinceLast++;
      return;
    }
    JsonObject detail =
        new JsonObject()
            .put("reason", reason)
            .put("topic", topic)
            .put("status", status)
            .put("claimed_device_id", claimedDeviceId)
            .put("unaudited_before", unauditedSinceLast);
    unauditedSinceLast = 0;
    Optional<Topics.Address> address = Topics.parse(topic);
    AuditLog.Entry entry =
        new AuditLog.Entry(
            "device:" + address.map(Topics.Address::sourceId).orElse("(unparsed topic)"),
            "command.ack",
            commandId,
            address.map(Topics.Address::district).orElse(null),
            null,
            "refused",
            detail);
    db.orderedTransaction(
            c -> {
              AuditLog.append(c, entry);
              return null;
            })
        .onFailure(e -> LOG.error("could not audit a refused ack: {}", e.toString()));
  }

  long refused() {
    return refused;
  }

  long unaudited() {
    return unaudited;
  }
}
