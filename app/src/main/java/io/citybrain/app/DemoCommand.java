package io.citybrain.app;

import com.zaxxer.hikari.HikariDataSource;
import io.citybrain.embedded.EmbeddedBroker;
import io.citybrain.embedded.EmbeddedDatabase;
import io.citybrain.embedded.FreePort;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.storage.DataSources;
import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import io.citybrain.simulators.FleetOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs CityBrain in one JVM on embedded defaults: an MQTT broker, PostgreSQL with the schema and the city's registry.
 * Later roles (stream job, API, simulator) join here as they land. Either service can be a real one instead.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run CityBrain in one JVM: embedded MQTT broker and PostgreSQL, schema, seeds.")
final class DemoCommand implements Callable<Integer> {
  static final int DEFAULT_MQTT_PORT = 1883;

  @Spec
  CommandSpec spec;

  @Mixin
  FleetOptions fleet;

  @Option(names = "--mqtt-url", paramLabel = "URL", defaultValue = "${env:CITYBRAIN_MQTT_URL}",
      description = "Use this MQTT broker instead of the embedded one, e.g. tcp://127.0.0.1:1883 (env CITYBRAIN_MQTT_URL).")
  String mqttUrl;

  @Option(names = "--mqtt-port", paramLabel = "PORT", defaultValue = "" + DEFAULT_MQTT_PORT,
      description = "Port of the embedded broker; a free port is used when it is taken (default: ${DEFAULT-VALUE}).")
  int mqttPort;

  @Option(names = "--db-url", paramLabel = "JDBC", defaultValue = "${env:CITYBRAIN_DB_URL}",
      description = "Use this PostgreSQL instead of the embedded one, e.g. "
          + "jdbc:postgresql://127.0.0.1:5432/citybrain?user=postgres (env CITYBRAIN_DB_URL).")
  String dbUrl;

  @Option(names = "--exit-after-start",
      description = "Start everything, print the report, then stop (a smoke check).")
  boolean exitAfterStart;

  private final Deque<AutoCloseable> started = new ArrayDeque<>();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    CitySeeds seeds = fleet.load();
    Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "citybrain-shutdown"));
    try {
      out.println("CityBrain demo");
      out.printf("  seeds       %s%n", fleet.source().describe());
      String broker = startBroker();
      out.printf("  mqtt        %s%n", broker);
      HikariDataSource dataSource = startDatabase(out);
      RegistryLoad load = RegistryLoad.apply(dataSource, seeds, fleet.expand(seeds));
      out.print(load.describe());
      out.flush();
      if (exitAfterStart) {
        out.println("started; stopping (--exit-after-start)");
        return 0;
      }
      out.println("running; press Ctrl+C to stop");
      out.flush();
      new CountDownLatch(1).await();
      return 0;
    } finally {
      stopAll();
    }
  }

  private String startBroker() {
    if (mqttUrl != null) {
      return mqttUrl + " (configured)";
    }
    // Port 0 asks for any free port; a taken port is replaced by a free one rather than failing the demo.
    int port = mqttPort != 0 && FreePort.isFree(mqttPort) ? mqttPort : FreePort.find();
    EmbeddedBroker broker = EmbeddedBroker.start(port);
    started.push(broker);
    return broker.url() + " (embedded HiveMQ CE" + (port == mqttPort || mqttPort == 0 ? "" : "; port " + mqttPort + " was taken") + ")";
  }

  private HikariDataSource startDatabase(PrintWriter out) {
    String url = dbUrl;
    String origin = "configured";
    if (url == null) {
      EmbeddedDatabase database = EmbeddedDatabase.start();
      started.push(database);
      url = database.jdbcUrl("postgres");
      origin = "embedded PostgreSQL";
    }
    // Print where, never the credentials a configured URL may carry.
    out.printf("  database    %s (%s)%n", url.replaceAll("password=[^&]*", "password=***"), origin);
    HikariDataSource dataSource = DataSources.pooled(url, "citybrain-demo", DataSources.DEFAULT_POOL_SIZE);
    started.push(dataSource);
    return dataSource;
  }

  private synchronized void stopAll() {
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception e) {
        System.err.println("citybrain: while stopping: " + e.getMessage());
      }
    }
  }
}
