package io.citybrain.api;

import io.citybrain.seeds.FleetExpander;
import io.citybrain.storage.DataSources;
import io.citybrain.storage.RegistrySync;
import io.citybrain.storage.Schema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the Command API alone: {@code citybrain-api --db URL --mqtt URL [--port N] [--demo-users]}.
 */
@Command(
    name = "citybrain-api",
    mixinStandardHelpOptions = true,
    description = "The Command API (REST + WebSocket) on a running PostgreSQL and MQTT broker.")
public final class CommandApiMain implements Callable<Integer> {
  @Option(
      names = "--db",
      required = true,
      defaultValue = "${env:CITYBRAIN_DB_URL}",
      description = "PostgreSQL JDBC URL with credentials (env CITYBRAIN_DB_URL).")
  String db;

  @Option(
      names = "--mqtt",
      defaultValue = "${env:CITYBRAIN_MQTT_URL:-tcp://127.0.0.1:1883}",
      description = "MQTT broker URL (default: ${DEFAULT-VALUE}).")
  String mqtt;

  @Option(
      names = "--host",
      defaultValue = ApiConfig.DEFAULT_HOST,
      description = "Listen address (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "HTTP port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--jwt-key-file",
      description = "File with the JWT signing secret; created when missing.")
  Path jwtKeyFile;

  @Option(
      names = "--sync-registry",
      description = "Load the seed fleet into the registry tables first.")
  boolean syncRegistry;

  @Option(
      names = "--summary-cache-ms",
      defaultValue = "1000",
      description =
          "Reuse the summary's database part this long; 0 disables (default: ${DEFAULT-VALUE}).")
  long summaryCacheMs;

  @Option(
      names = "--demo-users",
      description = "Create demo-<role> users with generated passwords, printed once.")
  boolean demoUsers;

  public static void main(String[] args) {
    System.exit(new CommandLine(new CommandApiMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    ApiConfig config =
        new ApiConfig()
            .jdbcUrl(db)
            .mqttUrl(mqtt)
            .host(host)
            .port(port)
            .jwtKeyFile(jwtKeyFile)
            .summaryCache(Duration.ofMillis(summaryCacheMs));
    if (syncRegistry) {
      try (var ds = DataSources.pooled(db, "citybrain-api-registry", 2)) {
        Schema.migrate(ds);
        RegistrySync.sync(ds, config.seeds(), FleetExpander.expand(config.seeds()));
      }
    }
    CommandApi api;
    try {
      api = CommandApi.start(config);
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("citybrain-api: " + e.getMessage());
      return 1;
    }
    System.out.println(
        "Command API: " + api.url() + "  (OpenAPI: " + api.url() + "/api/v1/openapi.json)");
    if (demoUsers) {
      api.createDemoUsers()
          .forEach(
              u ->
                  System.out.println(
                      "  user "
                          + u.username()
                          + "  password "
                          + u.password()
                          + "  ("
                          + u.role().id()
                          + ", shown once)"));
    }
    System.out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  api.close();
                  stopped.countDown();
                }));
    stopped.await();
    return 0;
  }
}
