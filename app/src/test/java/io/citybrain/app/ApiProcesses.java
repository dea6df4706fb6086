package io.citybrain.app;

import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.FleetExpander;
import io.citybrain.seeds.SeedLoader;
import io.citybrain.storage.RegistrySync;
import io.citybrain.storage.Schema;
import io.citybrain.testkit.JavaProcess;
import io.citybrain.testkit.TestServices;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * API processes for the kill tests: {@code citybrain api} from the app jar, each a {@code java}
 * process of its own on the test's broker and database, sharing one JWT key file (a token outlives
 * a restart) and one installation. The actuators answering them are command-api's {@code
 * SimActuators}.
 */
final class ApiProcesses implements AutoCloseable {
  static final CitySeeds SEEDS = SeedLoader.load();
  static final Pattern URL = Pattern.compile("Command API: (http://\\S+?)\\s");
  static final Pattern LEADER = Pattern.compile("took the response leader lease");
  static final Pattern TRACKING = Pattern.compile("response leader: tracking (\\d+) run");

  final TestServices services;
  final Path dir;
  final long ackTimeoutMs;
  final int maxAttempts;
  private final List<JavaProcess> started = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private int launched;

  /** Where each process's output stays after the test, for the reader of a failure. */
  private final Path logs;

  ApiProcesses(TestServices services, Path dir, long ackTimeoutMs) {
    this(services, dir, ackTimeoutMs, 3);
  }

  ApiProcesses(TestServices services, Path dir, long ackTimeoutMs, int maxAttempts) {
    this.services = services;
    this.dir = dir;
    this.ackTimeoutMs = ackTimeoutMs;
    this.maxAttempts = maxAttempts;
    this.logs = Path.of("target", "api-processes", dir.getFileName().toString());
    try {
      Files.createDirectories(logs);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Schema.migrate(services.dataSource());
    RegistrySync.sync(services.dataSource(), SEEDS, FleetExpander.expand(SEEDS));
  }

  /** One more API process; {@code demoUsers} prints (and resets) the demo users' passwords. */
  Api start(boolean demoUsers) {
    String name = "api-" + (++launched);
    List<String> args = new ArrayList<>(java());
    args.addAll(
        List.of(
            "api",
            "--db-url",
            services.jdbcUrl(),
            "--mqtt-url",
            services.mqttUrl(),
            "--credentials",
            services.credentials().toString(),
            "--jwt-key-file",
            dir.resolve("jwt.key").toString(),
            "--api-port",
            "0",
            "--no-migrate",
            "--ack-timeout-ms",
            Long.toString(ackTimeoutMs),
            "--max-attempts",
            Integer.toString(maxAttempts),
            "--leader-poll-ms",
            "500",
            "--health-max-age-s",
            "0"));
    if (demoUsers) {
      args.add("--demo-users");
    }
    Map<String, String> env = new HashMap<>();
    env.put("CITYBRAIN_DB_URL", null);
    env.put("CITYBRAIN_MQTT_URL", null);
    JavaProcess process = JavaProcess.start(name, logs.resolve(name + ".log"), args, env);
    started.add(process);
    String url = process.await(URL, Duration.ofSeconds(90));
    Map<String, String> passwords = new HashMap<>();
    if (demoUsers) {
      process.await(Pattern.compile("user demo-admin "), Duration.ofSeconds(30));
      Pattern user = Pattern.compile("user (demo-\\w+) +password (\\S+)");
      process
          .output()
          .lines()
          .map(user::matcher)
          .filter(Matcher::find)
          .forEach(found -> passwords.put(found.group(1), found.group(2)));
    }
    return new Api(name, process, url, passwords);
  }

  /** The app jar (package ran before the integration tests), else this JVM's own class path. */
  private static List<String> java() {
    Path jar = Path.of("target", "citybrain-app.jar");
    if (Files.exists(jar)) {
      return List.of("-jar", jar.toString());
    }
    return List.of(
        "-cp", System.getProperty("java.class.path"), "io.citybrain.app.CityBrainCommand");
  }

  /** One API process: its address, and what it printed. */
  final class Api {
    final String name;
    final JavaProcess process;
    final String url;
    final Map<String, String> passwords;

    Api(String name, JavaProcess process, String url, Map<String, String> passwords) {
      this.name = name;
      this.process = process;
      this.url = url;
      this.passwords = passwords;
    }

    boolean leads() {
      return LEADER.matcher(process.output()).find();
    }

    /** Waits until this process leads and has loaded the runs left running; how many it tracks. */
    int awaitLeading(Duration atMost) {
      return Integer.parseInt(process.await(TRACKING, atMost));
    }

    String login(String user, String password) {
      return send(
              "POST",
              "/api/v1/auth/login",
              null,
              new JsonObject().put("username", user).put("password", password))
          .json()
          .getString("token");
    }

    Reply send(String method, String path, String token, JsonObject body) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30));
      if (token != null) {
        request.header("Authorization", "Bearer " + token);
      }
      if (body != null) {
        request
            .header("content-type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body.encode()));
      } else {
        request.method(method, HttpRequest.BodyPublishers.noBody());
      }
      try {
        HttpResponse<String> response =
            http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.body());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    void kill9() {
      process.kill9();
    }
  }

  record Reply(int status, String text) {
    JsonObject json() {
      return new JsonObject(text);
    }
  }

  @Override
  public void close() {
    started.forEach(JavaProcess::close);
  }
}
