package io.citybrain.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The mismatch SQL finds exactly the closed windows whose stored row differs from the readings. */
@ExtendWith(CityServicesExtension.class)
class WindowRecomputationIT {

  @Test
  @DisplayName(
      "a wrong count and a stored-only window are reported; an exact, a late-only and an open one not")
  void reportsDifferingClosedWindows(TestServices services) throws Exception {
    List<String> lines = new ArrayList<>();
    try (Connection c = services.dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE reading (district text, metric text, event_time timestamptz,"
              + " value double precision, late boolean)");
      st.execute(
          "CREATE TABLE district_metric (district text, metric text, window_start timestamptz,"
              + " resolution_s int, count bigint, min double precision, max double precision,"
              + " mean double precision)");
      // 00:00 two readings (and a late one that does not count), 00:01 one, 00:10 one (open).
      st.execute(
          """
          INSERT INTO reading VALUES
            ('FT', 'speed', '2025-06-01T00:00:10Z', 1, false),
            ('FT', 'speed', '2025-06-01T00:00:50Z', 3, false),
            ('FT', 'speed', '2025-06-01T00:00:55Z', 100, true),
            ('FT', 'speed', '2025-06-01T00:01:20Z', 5, false),
            ('FT', 'speed', '2025-06-01T00:10:20Z', 7, false)""");
      // 00:00 exact; 00:01 counted twice; 00:02 stored without readings; 00:10 wrong but open.
      st.execute(
          """
          INSERT INTO district_metric VALUES
            ('FT', 'speed', '2025-06-01T00:00:00Z', 60, 2, 1, 3, 2),
            ('FT', 'speed', '2025-06-01T00:01:00Z', 60, 2, 5, 5, 5),
            ('FT', 'speed', '2025-06-01T00:02:00Z', 60, 1, 4, 4, 4),
            ('FT', 'speed', '2025-06-01T00:10:00Z', 60, 9, 7, 7, 7)""");
      try (ResultSet rs =
          st.executeQuery(WindowRecomputation.mismatches("TIMESTAMPTZ '2025-06-01T00:05:00Z'"))) {
        while (rs.next()) {
          lines.add(rs.getString(1));
        }
      }
    }
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0))
        .startsWith("FT speed ")
        .contains(": recomputed 1/5/5/5, stored 2/5/5/5");
    assertThat(lines.get(1))
        .startsWith("FT speed ")
        .contains(": recomputed -/-/-/-, stored 1/4/4/4");
  }
}
