package io.citybrain.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The mismatch SQL (run with SqlRows) finds exactly the closed windows whose stored row differs
 * from the readings.
 */
@ExtendWith(CityServicesExtension.class)
class WindowRecomputationIT {

  @Test
  @DisplayName(
      "a wrong count and a stored-only window are reported; an exact, a late-only and an open one not")
  void reportsDifferingClosedWindows(TestServices services) throws Exception {
    DataSource db = services.dataSource();
    SqlRows.execute(
        db,
        "CREATE TABLE reading (district text, metric text, event_time timestamptz,"
            + " value double precision, late boolean)");
    SqlRows.execute(
        db,
        "CREATE TABLE district_metric (district text, metric text, window_start timestamptz,"
            + " resolution_s int, count bigint, min double precision, max double precision,"
            + " mean double precision)");
    // 00:00 two readings (and a late one that does not count), 00:01 one, 00:10 one (open).
    SqlRows.execute(
        db,
        """
        INSERT INTO reading VALUES
          ('FT', 'speed', '2025-06-01T00:00:10Z', 1, false),
          ('FT', 'speed', '2025-06-01T00:00:50Z', 3, false),
          ('FT', 'speed', '2025-06-01T00:00:55Z', 100, true),
          ('FT', 'speed', '2025-06-01T00:01:20Z', 5, false),
          ('FT', 'speed', '2025-06-01T00:10:20Z', 7, false)""");
    // 00:00 exact; 00:01 counted twice; 00:02 stored without readings; 00:10 wrong but open.
    SqlRows.execute(
        db,
        """
        INSERT INTO district_metric VALUES
          ('FT', 'speed', '2025-06-01T00:00:00Z', 60, 2, 1, 3, 2),
          ('FT', 'speed', '2025-06-01T00:01:00Z', 60, 2, 5, 5, 5),
          ('FT', 'speed', '2025-06-01T00:02:00Z', 60, 1, 4, 4, 4),
          ('FT', 'speed', '2025-06-01T00:10:00Z', 60, 9, 7, 7, 7)""");
    assertThat(SqlRows.number(db, "SELECT count(*) FROM reading WHERE NOT late")).isEqualTo(4);
    List<String> lines =
        SqlRows.strings(db, WindowRecomputation.mismatches("TIMESTAMPTZ '2025-06-01T00:05:00Z'"));
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0))
        .startsWith("FT speed ")
        .contains(": recomputed 1/5/5/5, stored 2/5/5/5");
    assertThat(lines.get(1))
        .startsWith("FT speed ")
        .contains(": recomputed -/-/-/-, stored 1/4/4/4");
  }
}
