package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.api.http.Role;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Account safety through HTTP on the real API, broker and PostgreSQL: who may create and change
 * users, token revocation, disabled users, login limits under a flood, the audit of refusals and
 * audit reads, and idempotency keys scoped to their caller.
 */
@ExtendWith(CityServicesExtension.class)
class AccountSafetyIT {
  private static final String NEW_PASSWORD = "another-long-secret-42";
  private static ApiFixture f;

  @BeforeAll
  static void start(TestServices services) throws Exception {
    f = ApiFixture.start(services, c -> {});
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  private static ApiClient.Reply login(String user, String password) throws Exception {
    return f.client.post(
        "/api/v1/auth/login",
        null,
        new JsonObject().put("username", user).put("password", password));
  }

  private static String token(String user, String password) throws Exception {
    ApiClient.Reply reply = login(user, password);
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    return reply.json().getString("token");
  }

  private static ApiClient.Reply patch(String user, String token, JsonObject body)
      throws Exception {
    return f.client.send("PATCH", "/api/v1/users/" + user, token, body.encode());
  }

  private static long audited(String where) throws Exception {
    return TestData.count(f.services.dataSource(), "SELECT count(*) FROM audit_log WHERE " + where);
  }

  @Test
  @DisplayName(
      "a district admin cannot take over a city-wide admin: create is 403/409, change is 403, the admin keeps its login")
  void districtAdminCannotTakeOverAdmin() throws Exception {
    f.api.createUser("admin-dp", ApiFixture.PASSWORD, Role.ADMIN, Set.of("DP"));
    String districtAdmin = token("admin-dp", ApiFixture.PASSWORD);
    JsonObject takeover =
        new JsonObject()
            .put("username", "admin")
            .put("password", "attacker-password-1")
            .put("role", "admin")
            .put("districts", new JsonArray().add("DP"));
    ApiClient.Reply created = f.client.post("/api/v1/users", districtAdmin, takeover);
    assertThat(created.status()).as(created.text()).isEqualTo(403);
    assertThat(created.json().getString("reason"))
        .isEqualTo("only a city-wide admin may grant the admin role");
    // Even as a lesser role the name is taken: create never replaces.
    ApiClient.Reply asViewer =
        f.client.post("/api/v1/users", districtAdmin, takeover.copy().put("role", "viewer"));
    assertThat(asViewer.status()).as(asViewer.text()).isEqualTo(409);
    ApiClient.Reply changed =
        patch("admin", districtAdmin, new JsonObject().put("password", "attacker-password-1"));
    assertThat(changed.status()).as(changed.text()).isEqualTo(403);
    assertThat(changed.json().getString("reason"))
        .isEqualTo("'admin' is an admin: only a city-wide admin may change it");
    // A district admin cannot reach a city-wide user either, nor widen a user beyond its districts.
    assertThat(patch("viewer", districtAdmin, new JsonObject().put("disabled", true)).status())
        .isEqualTo(403);
    assertThat(login("admin", ApiFixture.PASSWORD).status()).isEqualTo(200);
    assertThat(f.client.get("/api/v1/districts", f.token("admin")).status()).isEqualTo(200);
    assertThat(audited("actor = 'admin-dp' AND action = 'create_user' AND outcome = 'denied'"))
        .isEqualTo(1);
    assertThat(audited("actor = 'admin-dp' AND action = 'create_user' AND outcome = 'conflict'"))
        .isEqualTo(1);
    assertThat(
            audited(
                "actor = 'admin-dp' AND action = 'update_user' AND target = 'admin' AND outcome = 'denied'"))
        .isEqualTo(1);
  }

  @Test
  @DisplayName("POST /users on an existing user is 409 even for a city-wide admin")
  void recreateIs409() throws Exception {
    ApiClient.Reply again =
        f.client.post(
            "/api/v1/users",
            f.token("admin"),
            new JsonObject()
                .put("username", "viewer")
                .put("password", "a-long-enough-secret")
                .put("role", "admin"));
    assertThat(again.status()).as(again.text()).isEqualTo(409);
    assertThat(f.client.get("/api/v1/districts", f.token("viewer")).status()).isEqualTo(200);
  }

  @Test
  @DisplayName("a password, role or scope change revokes the user's existing tokens at once (401)")
  void changesRevokeTokens() throws Exception {
    f.api.createUser("rev", ApiFixture.PASSWORD, Role.OPERATOR, Set.of());
    String before = token("rev", ApiFixture.PASSWORD);
    assertThat(f.client.get("/api/v1/districts", before).status()).isEqualTo(200);

    ApiClient.Reply changed =
        patch("rev", f.token("admin"), new JsonObject().put("password", NEW_PASSWORD));
    assertThat(changed.status()).as(changed.text()).isEqualTo(200);
    assertThat(f.client.get("/api/v1/districts", before).status()).isEqualTo(401);
    assertThat(login("rev", ApiFixture.PASSWORD).status()).isEqualTo(401);

    String afterPassword = token("rev", NEW_PASSWORD);
    assertThat(f.client.get("/api/v1/districts", afterPassword).status()).isEqualTo(200);
    assertThat(
            patch("rev", f.token("admin"), new JsonObject().put("role", "viewer"))
                .json()
                .getString("role"))
        .isEqualTo("viewer");
    assertThat(f.client.get("/api/v1/districts", afterPassword).status()).isEqualTo(401);

    String afterRole = token("rev", NEW_PASSWORD);
    assertThat(
            patch(
                    "rev",
                    f.token("admin"),
                    new JsonObject().put("districts", new JsonArray().add("NS")))
                .status())
        .isEqualTo(200);
    assertThat(f.client.get("/api/v1/districts", afterRole).status()).isEqualTo(401);
    assertThat(login("rev", NEW_PASSWORD).json().getJsonArray("districts")).containsExactly("NS");
  }

  @Test
  @DisplayName("a disabled user cannot log in and its tokens stop working; enabled again it can")
  void disabledUser() throws Exception {
    f.api.createUser("gone", ApiFixture.PASSWORD, Role.COORDINATOR, Set.of("DP"));
    String live = token("gone", ApiFixture.PASSWORD);
    ApiClient.Reply disabled =
        patch("gone", f.token("admin"), new JsonObject().put("disabled", true));
    assertThat(disabled.status()).as(disabled.text()).isEqualTo(200);
    assertThat(disabled.json().getBoolean("disabled")).isTrue();
    assertThat(f.client.get("/api/v1/districts", live).status()).isEqualTo(401);
    // The body of an unauthenticated request is never read, so its row has no request id.
    String refused = "action = 'trigger_response' AND outcome = 'unauthenticated'";
    long refusedBefore = audited(refused);
    assertThat(
            f.client
                .post(
                    "/api/v1/responses",
                    live,
                    new JsonObject()
                        .put("request_id", "gone-1")
                        .put("plan_id", "district_coordination")
                        .put("district", "DP"))
                .status())
        .isEqualTo(401);
    assertThat(login("gone", ApiFixture.PASSWORD).status()).isEqualTo(401);
    assertThat(audited(refused)).isEqualTo(refusedBefore + 1);
    assertThat(patch("gone", f.token("admin"), new JsonObject().put("disabled", false)).status())
        .isEqualTo(200);
    assertThat(login("gone", ApiFixture.PASSWORD).status()).isEqualTo(200);
    // Nobody disables themselves (an admin locking the city out by mistake).
    assertThat(patch("admin", f.token("admin"), new JsonObject().put("disabled", true)).status())
        .isEqualTo(403);
  }

  @Test
  @DisplayName(
      "40 parallel wrong passwords get 429 with Retry-After, audited; a correct login meanwhile succeeds")
  void loginFlood() throws Exception {
    f.api.createUser("target", ApiFixture.PASSWORD, Role.VIEWER, Set.of());
    ExecutorService pool = Executors.newFixedThreadPool(40);
    try {
      List<Future<ApiClient.Reply>> flood = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        flood.add(
            pool.submit(
                () ->
                    f.client.sendUnchecked(
                        "POST",
                        "/api/v1/auth/login",
                        null,
                        new JsonObject()
                            .put("username", "target")
                            .put("password", "wrong-password-" + Math.random())
                            .encode())));
      }
      ApiClient.Reply correct = login("operator", ApiFixture.PASSWORD);
      assertThat(correct.status()).as(correct.text()).isEqualTo(200);
      int limited = 0;
      int wrong = 0;
      for (Future<ApiClient.Reply> reply : flood) {
        int status = reply.get().status();
        assertThat(status).isIn(401, 429, 503);
        limited += status == 429 ? 1 : 0;
        wrong += status == 401 ? 1 : 0;
      }
      assertThat(limited).isGreaterThanOrEqualTo(30);
      assertThat(wrong).isLessThanOrEqualTo(5);
    } finally {
      pool.shutdownNow();
    }
    // Still limited, even with the right password: the guesser may not learn it now.
    ApiClient.Reply still = login("target", ApiFixture.PASSWORD);
    assertThat(still.status()).isEqualTo(429);
    assertThat(still.json().getString("error")).isEqualTo("too_many_requests");
    assertThat(
            f.client
                .sendRaw(
                    "POST",
                    "/api/v1/auth/login",
                    null,
                    new JsonObject()
                        .put("username", "target")
                        .put("password", ApiFixture.PASSWORD)
                        .encode())
                .headers()
                .firstValue("retry-after"))
        .hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isBetween(1, 60));
    assertThat(audited("actor = 'target' AND action = 'login' AND outcome = 'unauthenticated'"))
        .isGreaterThanOrEqualTo(1);
    assertThat(audited("actor = 'target' AND action = 'login' AND outcome = 'limited'"))
        .isGreaterThanOrEqualTo(30);
    assertThat(audited("actor = 'operator' AND action = 'login' AND outcome = 'allowed'"))
        .isGreaterThanOrEqualTo(2);
  }

  @Test
  @DisplayName("a district-scoped admin reads its districts' audit rows only")
  void auditIsScoped() throws Exception {
    ApiClient.Reply created =
        f.client.post(
            "/api/v1/users",
            f.token("admin"),
            new JsonObject()
                .put("username", "audit-dp")
                .put("password", ApiFixture.PASSWORD)
                .put("role", "admin")
                .put("districts", new JsonArray().add("DP")));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    // Rows of two districts: a case reported in each.
    for (String d : List.of("DP", "NS")) {
      assertThat(
              f.client
                  .post(
                      "/api/v1/cases",
                      f.token("viewer"),
                      new JsonObject()
                          .put("district", d)
                          .put("subtype", "garbage_overflow")
                          .put("description", "audit scope"))
                  .status())
          .isEqualTo(201);
    }
    String token = login("audit-dp", ApiFixture.PASSWORD).json().getString("token");
    JsonArray scoped = f.client.get("/api/v1/audit?limit=1000", token).items();
    assertThat(scoped).isNotEmpty();
    scoped.forEach(row -> assertThat(((JsonObject) row).getString("district")).isEqualTo("DP"));
    JsonArray city = f.client.get("/api/v1/audit?limit=1000", f.token("admin")).items();
    assertThat(city.stream().map(r -> ((JsonObject) r).getString("district")))
        .contains("DP", "NS", null);
  }

  @Test
  @DisplayName("refused case transitions and every audit read (allowed or refused) are audited")
  void auditOfRefusalsAndReads() throws Exception {
    ApiClient.Reply reported =
        f.client.post(
            "/api/v1/cases",
            f.token("viewer"),
            new JsonObject()
                .put("district", "DP")
                .put("subtype", "garbage_overflow")
                .put("description", "Bins full"));
    assertThat(reported.status()).as(reported.text()).isEqualTo(201);
    String caseId = reported.json().getString("case_id");
    ApiClient.Reply refused =
        f.client.post(
            "/api/v1/cases/" + caseId + "/transitions",
            f.token("operator"),
            new JsonObject().put("to", "closed").put("rating", 5));
    assertThat(refused.status()).isEqualTo(409);
    assertThat(
            f.client
                .post(
                    "/api/v1/cases/" + caseId + "/transitions",
                    f.token("viewer"),
                    new JsonObject().put("to", "handling"))
                .status())
        .isEqualTo(403);
    assertThat(
            audited(
                "action = 'case_transition' AND target = '"
                    + caseId
                    + "' AND actor = 'operator' AND outcome = 'conflict'"))
        .isEqualTo(1);
    assertThat(
            audited(
                "action = 'case_transition' AND target = '"
                    + caseId
                    + "' AND actor = 'viewer' AND outcome = 'denied'"))
        .isEqualTo(1);
    assertThat(audited("action = 'report_case' AND target = '" + caseId + "'")).isEqualTo(1);

    assertThat(f.client.get("/api/v1/audit", f.token("viewer")).status()).isEqualTo(403);
    assertThat(audited("action = 'list_audit' AND actor = 'viewer' AND outcome = 'denied'"))
        .isEqualTo(1);
    JsonArray items = f.client.get("/api/v1/audit?limit=5", f.token("admin")).items();
    // The read sees its own row first.
    assertThat(items.getJsonObject(0).getString("action")).isEqualTo("list_audit");
    assertThat(items.getJsonObject(0).getString("actor")).isEqualTo("admin");
  }

  @Test
  @DisplayName(
      "a request id is the caller's own: same body repeats its run, another body is 422, another caller gets its own run")
  void idempotencyScopedToCaller() throws Exception {
    f.api.createUser("coord-dp2", ApiFixture.PASSWORD, Role.COORDINATOR, Set.of("DP"));
    String other = token("coord-dp2", ApiFixture.PASSWORD);
    JsonObject body =
        new JsonObject()
            .put("request_id", "idem-1")
            .put("plan_id", "district_coordination")
            .put("district", "DP");
    ApiClient.Reply first = f.client.post("/api/v1/responses", f.token("coord-dp"), body);
    assertThat(first.status()).as(first.text()).isEqualTo(201);
    String runId = first.json().getString("run_id");
    // The same request, keys in another order: the same run.
    JsonObject reordered =
        new JsonObject()
            .put("district", "DP")
            .put("plan_id", "district_coordination")
            .put("request_id", "idem-1");
    ApiClient.Reply repeat = f.client.post("/api/v1/responses", f.token("coord-dp"), reordered);
    assertThat(repeat.status()).as(repeat.text()).isEqualTo(200);
    assertThat(repeat.json().getString("run_id")).isEqualTo(runId);

    ApiClient.Reply different =
        f.client.post(
            "/api/v1/responses",
            f.token("coord-dp"),
            body.copy().put("lat", 22.6).put("lon", 114.4));
    assertThat(different.status()).as(different.text()).isEqualTo(422);
    assertThat(different.json().getString("reason")).doesNotContain(runId);

    // Another caller's request under the same id is a run of its own (queued: the first holds the
    // district's devices).
    ApiClient.Reply theirs =
        f.client.post("/api/v1/responses", other, body.copy().put("queue", true));
    assertThat(theirs.status()).as(theirs.text()).isEqualTo(201);
    assertThat(theirs.json().getString("run_id")).isNotEqualTo(runId);
    assertThat(theirs.json().getString("actor")).isEqualTo("coord-dp2");
    assertThat(
            audited(
                "action = 'trigger_response' AND request_id = 'idem-1' AND outcome = 'mismatch'"))
        .isEqualTo(1);
  }
}
