package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The escalation scan as the API runs it: on the leader's timer, at the real clock, its changes
 * pushed to the district's wall as work frames.
 */
@ExtendWith(CityServicesExtension.class)
class EscalationLiveIT {
  private static ApiFixture f;

  @BeforeAll
  static void start(TestServices services) throws Exception {
    f = ApiFixture.start(services, c -> c.escalationScan(Duration.ofMillis(200)));
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  @Test
  @DisplayName(
      "the leader escalates an alert left unacknowledged past its deadline and pushes it to the"
          + " district's wall")
  void leaderScansAndPushes() throws Exception {
    try (LiveClient live = new LiveClient(f.api.url(), f.token("coord-dp"), "DP")) {
      Instant raised = Instant.now().minus(Duration.ofMinutes(6));
      TestData.alert(f.services.dataSource(), "live-e1", "DP", "critical", "raised", raised);
      // The metric keeps reporting: escalated, not resolved for want of data.
      TestData.exec(
          f.services.dataSource(),
          """
          INSERT INTO district_metric (district, metric, resolution_s, window_start, count, min, max, sum, mean,
                                       updated_at)
          VALUES ('DP', 'pm25', 10, now(), 1, 1, 1, 1, 1, now() + interval '1 day')""");
      JsonObject frame =
          live.await(
              fr ->
                  "work".equals(fr.getString("type"))
                      && "escalated".equals(fr.getJsonObject("data").getString("change")),
              15_000);
      JsonObject item = frame.getJsonObject("data").getJsonObject("item");
      assertThat(frame.getString("district")).isEqualTo("DP");
      assertThat(frame.getJsonObject("data").getString("kind")).isEqualTo("alert");
      assertThat(item.getString("alert_id")).isEqualTo("live-e1");
      assertThat(item.getInteger("escalation_level")).isEqualTo(1);
      // Once over several more scans: the next deadline is 5 minutes after the escalation.
      await("one escalation while the scans go on")
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(3))
          .until(
              () ->
                  TestData.count(
                      f.services.dataSource(),
                      "SELECT count(*) FROM work_event WHERE item_id = 'live-e1' AND action ="
                          + " 'escalated'"),
              n -> n == 1);
    }
  }
}
