package io.citybrain.api.escalate;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * One part of a scan, run in one transaction: it takes the items due at {@code now} that no other
 * scan holds ({@code SKIP LOCKED}), changes them and records each change in {@code work_event}.
 */
interface Step {
  /** What the step does, for logs. */
  String name();

  List<Change> run(Connection c, Instant now) throws SQLException;
}
