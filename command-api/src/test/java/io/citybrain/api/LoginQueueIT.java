package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The bounded password-check queue at the production bcrypt cost: a burst of logins beyond it is
 * answered 503 with Retry-After at once (audited as busy) instead of queueing for seconds.
 */
@ExtendWith(CityServicesExtension.class)
class LoginQueueIT {
  private static ApiFixture f;

  @BeforeAll
  static void start(TestServices services) throws Exception {
    // Cost 12 (~0.25 s a hash): the queue fills before it drains.
    f = ApiFixture.start(services, c -> c.passwordCost(12));
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  @Test
  @DisplayName("30 parallel logins of different names: some are 503 with Retry-After; none wait")
  void fullQueueIs503() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(30);
    List<Future<HttpResponse<String>>> burst = new ArrayList<>();
    try {
      for (int i = 0; i < 30; i++) {
        String name = "ghost-" + i;
        burst.add(
            pool.submit(
                () ->
                    f.client.sendRaw(
                        "POST",
                        "/api/v1/auth/login",
                        null,
                        new JsonObject()
                            .put("username", name)
                            .put("password", "wrong-password-123")
                            .encode())));
      }
      int busy = 0;
      for (Future<HttpResponse<String>> reply : burst) {
        HttpResponse<String> response = reply.get();
        assertThat(response.statusCode()).isIn(401, 503);
        if (response.statusCode() == 503) {
          busy++;
          assertThat(response.headers().firstValue("retry-after")).contains("1");
          assertThat(new JsonObject(response.body()).getString("error")).isEqualTo("busy");
        }
      }
      assertThat(busy).isPositive();
      assertThat(
              TestData.count(
                  f.services.dataSource(),
                  "SELECT count(*) FROM audit_log WHERE action = 'login' AND outcome = 'busy'"))
          .isEqualTo(busy);
    } finally {
      pool.shutdownNow();
    }
    // The queue drains; an unchecked attempt did not count against the address.
    ApiClient.Reply ok =
        f.client.post(
            "/api/v1/auth/login",
            null,
            new JsonObject().put("username", "viewer").put("password", ApiFixture.PASSWORD));
    assertThat(ok.status()).as(ok.text()).isEqualTo(200);
  }
}
