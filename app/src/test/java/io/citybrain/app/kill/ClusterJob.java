package io.citybrain.app.kill;

import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
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
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.flink.client.cli.CliFrontend;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.RestOptions;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The stream job on a Flink cluster as an operator handles it: submitted with {@code flink run -d
 * [-s checkpoint] citybrain-stream-job.jar ...} (Flink's own CliFrontend) to the cluster's REST
 * endpoint, then watched and cancelled through that endpoint.
 */
final class ClusterJob {
  static final Path JAR = Path.of("../stream-jobs/target/citybrain-stream-job.jar");
  static final String NAME = "citybrain-city";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final URI rest;
  final String id;

  private ClusterJob(URI rest, String id) {
    this.rest = rest;
    this.id = id;
  }

  /**
   * Submits the job jar with these arguments, from {@code checkpoint} when it is not null, and
   * returns the new job (the one of the cluster's jobs that was not there before).
   */
  static ClusterJob submit(URI rest, Path checkpoint, List<String> jobArgs) throws Exception {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException(
          "the shaded job jar " + JAR.toAbsolutePath() + " is missing: package stream-jobs first");
    }
    Set<String> before = jobIds(rest);
    Path confDir = Files.createTempDirectory("flink-client-conf");
    Files.writeString(confDir.resolve("config.yaml"), "");
    Configuration client = new Configuration();
    client.set(RestOptions.ADDRESS, rest.getHost());
    client.set(RestOptions.PORT, rest.getPort());
    client.set(DeploymentOptions.TARGET, "remote");
    CliFrontend cli =
        new CliFrontend(client, CliFrontend.loadCustomCommandLines(client, confDir.toString()));
    List<String> args = new ArrayList<>(List.of("run", "-d"));
    if (checkpoint != null) {
      args.addAll(List.of("-s", checkpoint.toUri().toString()));
    }
    args.add(JAR.toAbsolutePath().toString());
    args.addAll(jobArgs);
    int rc = cli.parseAndRun(args.toArray(String[]::new));
    if (rc != 0) {
      throw new IllegalStateException("flink run exited " + rc + " for " + args);
    }
    Set<String> now = jobIds(rest);
    now.removeAll(before);
    if (now.size() != 1) {
      throw new IllegalStateException("expected one new job on " + rest + ", found " + now);
    }
    return new ClusterJob(rest, now.iterator().next());
  }

  /** The job's state (RUNNING, RESTARTING, ...), empty while the REST endpoint does not answer. */
  Optional<String> state() {
    return details().map(d -> d.getString("state"));
  }

  /** When the job last switched to RUNNING (epoch ms), 0 when it has not yet. */
  long runningSince() {
    return details()
        .map(d -> d.getJsonObject("timestamps", new JsonObject()).getLong("RUNNING", 0L))
        .orElse(0L);
  }

  /** True when every task of the job runs (a RUNNING job may still be deploying its tasks). */
  boolean allTasksRunning() {
    return details()
        .map(
            d -> {
              if (!"RUNNING".equals(d.getString("state"))) {
                return false;
              }
              for (Object v : d.getJsonArray("vertices", new JsonArray())) {
                if (!"RUNNING".equals(((JsonObject) v).getString("status"))) {
                  return false;
                }
              }
              return true;
            })
        .orElse(false);
  }

  /** Completed checkpoints since the job (this attempt's counter survives restarts). */
  long completedCheckpoints() {
    return get("/jobs/" + id + "/checkpoints")
        .map(c -> c.getJsonObject("counts", new JsonObject()).getLong("completed", 0L))
        .orElse(0L);
  }

  /** How many times the job has restarted (Flink's numRestarts), -1 while it cannot be read. */
  long restarts() {
    JsonArray metrics =
        getArray("/jobs/" + id + "/metrics?get=numRestarts").orElse(new JsonArray());
    return metrics.isEmpty() ? -1 : Long.parseLong(metrics.getJsonObject(0).getString("value"));
  }

  /**
   * The sum over every subtask of the job's operators of the counter {@code metric} (Flink names it
   * {@code <subtask>.<operator>.<metric>}), since the tasks last started; -1 when it cannot be
   * read. The JobManager fetches metrics when asked (at most every 10 s, answering from what it has
   * meanwhile), so the first asks may find none yet.
   */
  long operatorCounter(String metric) {
    try {
      return await("counter " + metric + " of job " + id)
          .atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> operatorCounterOnce(metric), sum -> sum >= 0);
    } catch (ConditionTimeoutException e) {
      return -1;
    }
  }

  private long operatorCounterOnce(String metric) {
    long sum = 0;
    boolean found = false;
    for (Object v : details().map(d -> d.getJsonArray("vertices")).orElse(new JsonArray())) {
      String base = "/jobs/" + id + "/vertices/" + ((JsonObject) v).getString("id") + "/metrics";
      List<String> ids = new ArrayList<>();
      for (Object m : getArray(base).orElse(new JsonArray())) {
        String name = ((JsonObject) m).getString("id");
        if (name.endsWith("." + metric)) {
          ids.add(name);
        }
      }
      if (ids.isEmpty()) {
        continue;
      }
      for (Object m : getArray(base + "?get=" + String.join(",", ids)).orElse(new JsonArray())) {
        sum += Long.parseLong(((JsonObject) m).getString("value", "0"));
        found = true;
      }
    }
    return found ? sum : -1;
  }

  /** The data ports of the TaskManagers that run at least one of the job's tasks now. */
  Set<Integer> busyDataPorts() {
    Set<String> ids = new HashSet<>();
    for (Object v : details().map(d -> d.getJsonArray("vertices")).orElse(new JsonArray())) {
      String vertex = ((JsonObject) v).getString("id");
      get("/jobs/" + id + "/vertices/" + vertex + "/taskmanagers")
          .ifPresent(
              t -> {
                for (Object tm : t.getJsonArray("taskmanagers", new JsonArray())) {
                  ids.add(((JsonObject) tm).getString("taskmanager-id"));
                }
              });
    }
    Set<Integer> ports = new HashSet<>();
    get("/taskmanagers")
        .ifPresent(
            all -> {
              for (Object tm : all.getJsonArray("taskmanagers", new JsonArray())) {
                JsonObject t = (JsonObject) tm;
                if (ids.contains(t.getString("id"))) {
                  ports.add(t.getInteger("dataPort"));
                }
              }
            });
    return ports;
  }

  /** Cancels the job (its checkpoints stay: the cluster retains them on cancellation). */
  void cancel() throws IOException, InterruptedException {
    HTTP.send(
        HttpRequest.newBuilder(rest.resolve("/jobs/" + id + "?mode=cancel"))
            .method("PATCH", HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.discarding());
  }

  /**
   * The latest retained checkpoint of job {@code jobId} under {@code checkpointDir}: the highest
   * {@code chk-N} with its {@code _metadata} written (a checkpoint in progress has none yet).
   */
  static Optional<Path> latestCheckpoint(Path checkpointDir, String jobId) throws IOException {
    Path dir = checkpointDir.resolve(jobId);
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try (Stream<Path> chks = Files.list(dir)) {
      return chks.filter(p -> p.getFileName().toString().startsWith("chk-"))
          .filter(p -> Files.isRegularFile(p.resolve("_metadata")))
          .max(
              (a, b) ->
                  Long.compare(
                      Long.parseLong(a.getFileName().toString().substring(4)),
                      Long.parseLong(b.getFileName().toString().substring(4))));
    }
  }

  private Optional<JsonObject> details() {
    return get("/jobs/" + id);
  }

  private Optional<JsonObject> get(String path) {
    return get(rest, path);
  }

  private static Optional<JsonObject> get(URI rest, String path) {
    return get(rest, path, JsonObject::new);
  }

  /** A REST answer parsed, empty when it is not a 200 or does not parse. */
  private static <T> Optional<T> get(URI rest, String path, Function<String, T> parse) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(rest.resolve(path)).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? Optional.of(parse.apply(r.body())) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private Optional<JsonArray> getArray(String path) {
    return get(rest, path, JsonArray::new);
  }

  private static Set<String> jobIds(URI rest) {
    Set<String> ids = new HashSet<>();
    get(rest, "/jobs/overview")
        .ifPresent(
            o -> {
              for (Object j : o.getJsonArray("jobs", new JsonArray())) {
                if (NAME.equals(((JsonObject) j).getString("name"))) {
                  ids.add(((JsonObject) j).getString("jid"));
                }
              }
            });
    return ids;
  }
}
