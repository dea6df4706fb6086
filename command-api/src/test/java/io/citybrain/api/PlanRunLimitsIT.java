package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.api.http.Role;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Plan triggers are limited per caller and per district per minute: 429, Retry-After, audited. */
@ExtendWith(CityServicesExtension.class)
class PlanRunLimitsIT {
  private static ApiFixture f;
  private static TestServices services;

  @BeforeAll
  static void start(TestServices s) throws Exception {
    services = s;
    f = ApiFixture.start(s, c -> c.triggersPerCaller(2).triggersPerDistrict(3));
    f.user("coord-dp2", Role.COORDINATOR, Set.of("DP"));
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  private static JsonObject trigger(String requestId) {
    // Queued behind each other: the limits, not the overlap, are what is tested.
    return new JsonObject()
        .put("request_id", requestId)
        .put("plan_id", "district_coordination")
        .put("district", "DP")
        .put("queue", true);
  }

  @Test
  @DisplayName(
      "the caller's third trigger in a minute is 429 with Retry-After, a repeat is not counted, the district's fourth is 429")
  void limited() throws Exception {
    for (String id : new String[] {"l-1", "l-2"}) {
      ApiClient.Reply r = f.client.post("/api/v1/responses", f.token("coord-dp"), trigger(id));
      assertThat(r.status()).as(r.text()).isEqualTo(201);
    }
    ApiClient.Reply repeat =
        f.client.post("/api/v1/responses", f.token("coord-dp"), trigger("l-1"));
    assertThat(repeat.status()).as(repeat.text()).isEqualTo(200);
    HttpResponse<String> third =
        f.client.sendRaw("POST", "/api/v1/responses", f.token("coord-dp"), trigger("l-3").encode());
    assertThat(third.statusCode()).as(third.body()).isEqualTo(429);
    int retryAfter = Integer.parseInt(third.headers().firstValue("retry-after").orElseThrow());
    assertThat(retryAfter).isBetween(1, 60);
    assertThat(new JsonObject(third.body()).getString("reason"))
        .contains("coord-dp has triggered 2 plans in the last minute");
    // Contract: the document says what a 429 is.
    assertThat(f.client.post("/api/v1/responses", f.token("coord-dp"), trigger("l-3b")).status())
        .isEqualTo(429);

    ApiClient.Reply other =
        f.client.post("/api/v1/responses", f.token("coord-dp2"), trigger("l-4"));
    assertThat(other.status()).as(other.text()).isEqualTo(201);
    ApiClient.Reply district =
        f.client.post("/api/v1/responses", f.token("coord-dp2"), trigger("l-5"));
    assertThat(district.status()).as(district.text()).isEqualTo(429);
    assertThat(district.json().getString("reason")).contains("DP has had 3 plans triggered");
    assertThat(
            TestData.count(
                services.dataSource(),
                "SELECT count(*) FROM audit_log WHERE action = 'trigger_response' AND outcome = 'limited'"))
        .isEqualTo(3);
    assertThat(TestData.count(services.dataSource(), "SELECT count(*) FROM plan_run")).isEqualTo(3);
  }
}
