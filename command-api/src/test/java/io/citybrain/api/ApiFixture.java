package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.access.Principal;
import io.citybrain.api.http.Role;
import io.citybrain.api.response.CommandKeys;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.FleetExpander;
import io.citybrain.seeds.SeedLoader;
import io.citybrain.storage.RegistrySync;
import io.citybrain.storage.Schema;
import io.citybrain.testkit.TestServices;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The API on a test class's own database and the shared broker, with the registry synced from seeds
 * and one logged-in user per role: admin, operator, viewer (every district), coord-dp (coordinator
 * of Dapeng), coord-ns (of Nanshan).
 */
final class ApiFixture implements AutoCloseable {
  static final CitySeeds SEEDS = SeedLoader.load();
  static final String PASSWORD = "correct-horse-battery";
  final TestServices services;
  final CommandApi api;
  final ApiClient client;
  private final Map<String, String> tokens = new HashMap<>();

  private ApiFixture(TestServices services, CommandApi api, ApiClient client) {
    this.services = services;
    this.api = api;
    this.client = client;
  }

  static ApiFixture start(TestServices services, Consumer<ApiConfig.Builder> tweak)
      throws Exception {
    Schema.migrate(services.dataSource());
    RegistrySync.sync(services.dataSource(), SEEDS, FleetExpander.expand(SEEDS));
    ApiConfig.Builder config =
        ApiConfig.builder()
            .host("127.0.0.1")
            .port(0)
            .jdbcUrl(services.jdbcUrl())
            .mqttUrl(services.mqttUrl())
            .mqttLogin(services.login(Principal.api()))
            .dbPoolSize(4)
            .passwordCost(4)
            .seeds(SEEDS)
            .clientIdPrefix(services.uniqueId("api"))
            .commandKeys(CommandKeys.of(services.installation()))
            .ackTimeout(Duration.ofSeconds(5))
            .retryBackoff(Duration.ofMillis(200))
            .retryBackoffMax(Duration.ofSeconds(1))
            .casePollInterval(Duration.ofHours(1))
            // Off: the tests' alerts and tasks stay as they put them; EscalationIT drives scans.
            .escalationScan(Duration.ZERO)
            // The tests trigger more than a coordinator would; RunGuardsIT checks the limits.
            .triggersPerCaller(1000)
            .triggersPerDistrict(1000)
            .summaryCache(Duration.ZERO);
    tweak.accept(config);
    CommandApi api = CommandApi.start(config.build());
    ApiFixture fixture = null;
    try {
      fixture = new ApiFixture(services, api, new ApiClient(api.url()));
      fixture.user("admin", Role.ADMIN, Set.of());
      fixture.user("operator", Role.OPERATOR, Set.of());
      fixture.user("viewer", Role.VIEWER, Set.of());
      fixture.user("coord-dp", Role.COORDINATOR, Set.of("DP"));
      fixture.user("coord-ns", Role.COORDINATOR, Set.of("NS"));
      return fixture;
    } catch (Exception | AssertionError e) {
      if (fixture != null) {
        fixture.close();
      } else {
        api.close();
      }
      throw e;
    }
  }

  void user(String name, Role role, Set<String> districts) throws Exception {
    api.createUser(name, PASSWORD, role, districts);
    ApiClient.Reply reply =
        client.post(
            "/api/v1/auth/login",
            null,
            new JsonObject().put("username", name).put("password", PASSWORD));
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    tokens.put(name, reply.json().getString("token"));
  }

  String token(String user) {
    return tokens.get(user);
  }

  /** A one-time ticket for the live WebSocket, as the wall gets one. */
  String liveTicket(String user) throws Exception {
    ApiClient.Reply reply = client.post("/api/v1/live/tickets", token(user), null);
    assertThat(reply.status()).as(reply.text()).isEqualTo(201);
    return reply.json().getString("ticket");
  }

  @Override
  public void close() {
    client.close();
    api.close();
  }
}
