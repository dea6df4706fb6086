package io.citybrain.stream.deploy;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.PackagedProgram;
import org.apache.flink.client.program.PackagedProgramUtils;
import org.apache.flink.client.program.ProgramInvocationException;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.rest.messages.job.JobDetailsInfo;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Submits a job jar to a Flink cluster's REST endpoint as {@code flink run -d [-s PATH] JAR ARGS}
 * does: the jar's main runs here, in its own class loader, to build the job graph; Flink's {@link
 * RestClusterClient} uploads the graph and the jar (REST {@code POST /jobs}). The cluster needs
 * nothing of the job on its classpath, and this client needs neither the broker nor the database.
 */
public final class JobJarSubmitter implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final URI restUrl;
  private final Configuration conf;
  private final RestClusterClient<StandaloneClusterId> client;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private JobJarSubmitter(URI restUrl, Configuration conf) throws Exception {
    this.restUrl = restUrl;
    this.conf = conf;
    this.client = new RestClusterClient<>(conf, StandaloneClusterId.getInstance());
  }

  /** A client of the cluster whose REST endpoint is {@code restUrl} (http://host:port). */
  public static JobJarSubmitter connect(URI restUrl) {
    if (!"http".equals(restUrl.getScheme()) || restUrl.getHost() == null || restUrl.getPort() < 0) {
      throw new IllegalArgumentException(
          "a Flink REST URL is http://HOST:PORT, e.g. http://127.0.0.1:8081, was " + restUrl);
    }
    Configuration conf = new Configuration();
    conf.set(RestOptions.ADDRESS, restUrl.getHost());
    conf.set(RestOptions.PORT, restUrl.getPort());
    try {
      return new JobJarSubmitter(restUrl, conf);
    } catch (Exception e) {
      throw new IllegalStateException("cannot make a REST client for " + restUrl, e);
    }
  }

  public URI restUrl() {
    return restUrl;
  }

  /**
   * Builds the job from {@code jar}'s main with {@code args} and submits it, restored from {@code
   * restorePath} (a savepoint or a retained checkpoint's chk-N directory) when given; returns the
   * job's id once the cluster has accepted it.
   */
  public JobID submit(Path jar, List<String> args, Optional<String> restorePath) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalArgumentException(
          "the job jar "
              + jar.toAbsolutePath()
              + " does not exist (./mvnw -pl stream-jobs -am package builds it)");
    }
    SavepointRestoreSettings restore =
        restorePath
            .map(p -> SavepointRestoreSettings.forPath(p, false))
            .orElse(SavepointRestoreSettings.none());
    JobGraph graph;
    try (PackagedProgram program =
        PackagedProgram.newBuilder()
            .setJarFile(new File(jar.toAbsolutePath().toString()))
            .setArguments(args.toArray(String[]::new))
            .setConfiguration(conf)
            .setSavepointRestoreSettings(restore)
            .build()) {
      graph =
          PackagedProgramUtils.createJobGraph(
              program, conf, conf.get(CoreOptions.DEFAULT_PARALLELISM), false);
    } catch (ProgramInvocationException e) {
      throw new IllegalStateException(
          "the job jar's main did not build a job: " + rootMessage(e), e);
    }
    try {
      return client.submitJob(graph).get(5, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "the Flink cluster at " + restUrl + " refused the job: " + rootMessage(e), e);
    } catch (Exception e) {
      throw new IllegalStateException("submitting the job to " + restUrl + " failed: " + e, e);
    }
  }

  /** The cluster's jobs, running or finished, as it lists them. */
  public java.util.Collection<org.apache.flink.runtime.client.JobStatusMessage> listJobs() {
    return get(client.listJobs(), "the list of jobs");
  }

  /** The job's status as the cluster reports it. */
  public JobStatus status(JobID job) {
    return get(client.getJobStatus(job), "the status of job " + job);
  }

  /**
   * Waits until the job and every one of its tasks run. Fails with Flink's own message when the job
   * fails, or with its newest exception when it has not run within the timeout (a job restarting
   * over and over).
   */
  public void awaitRunning(JobID job, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JobDetailsInfo details = get(client.getJobDetails(job), "the details of job " + job);
      JobStatus status = details.getJobStatus();
      if (status.isGloballyTerminalState()) {
        throw new IllegalStateException(
            "job " + job + " is " + status + " instead of running: " + failureOf(job));
      }
      if (status == JobStatus.RUNNING
          && !details.getJobVertexInfos().isEmpty()
          && details.getJobVertexInfos().stream()
              .allMatch(v -> v.getExecutionState() == ExecutionState.RUNNING)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "job "
                + job
                + " did not run within "
                + timeout.toSeconds()
                + " s (status "
                + status
                + ", tasks "
                + details.getJobVerticesPerState()
                + "); newest exception: "
                + newestException(job).orElse("none"));
      }
      sleep(250);
    }
  }

  /** Cancels the job; a retained checkpoint stays (RETAIN_ON_CANCELLATION). */
  public void cancel(JobID job) {
    get(client.cancel(job), "cancelling job " + job);
  }

  /** Stops the job with a savepoint in {@code directory} and returns the savepoint's path. */
  public String stopWithSavepoint(JobID job, String directory) {
    return get(
        client.stopWithSavepoint(job, false, directory, SavepointFormatType.CANONICAL),
        "stopping job " + job + " with a savepoint");
  }

  /**
   * The checkpoint or savepoint the job was restored from, as the cluster reports it (REST {@code
   * /jobs/:id/checkpoints}, {@code latest.restored.external_path}); empty for a job started empty.
   */
  public Optional<String> restoredFrom(JobID job) {
    JsonNode restored = getJson("/jobs/" + job + "/checkpoints").path("latest").path("restored");
    return restored.hasNonNull("external_path")
        ? Optional.of(restored.get("external_path").asText())
        : Optional.empty();
  }

  /** The number of checkpoints of this job completed so far. */
  public long completedCheckpoints(JobID job) {
    return getJson("/jobs/" + job + "/checkpoints").path("counts").path("completed").asLong();
  }

  @Override
  public void close() {
    client.close();
  }

  /** Flink's own reason for a finished job's failure. */
  private String failureOf(JobID job) {
    try {
      JobResult result = client.requestJobResult(job).get(30, TimeUnit.SECONDS);
      return result
          .getSerializedThrowable()
          .map(t -> t.getOriginalErrorClassName() + ": " + rootMessage(t))
          .orElseGet(() -> newestException(job).orElse("no exception recorded"));
    } catch (Exception e) {
      return newestException(job).orElse("(its result is unavailable: " + e + ")");
    }
  }

  /**
   * The newest entry of the job's exception history: its first line and its deepest cause, as the
   * web UI shows them.
   */
  private Optional<String> newestException(JobID job) {
    try {
      JsonNode entries =
          getJson("/jobs/" + job + "/exceptions?maxExceptions=1")
              .path("exceptionHistory")
              .path("entries");
      if (!entries.isArray() || entries.isEmpty()) {
        return Optional.empty();
      }
      String trace = entries.get(0).path("stacktrace").asText("");
      String[] lines = trace.split("\n");
      String cause = lines[0];
      for (String line : lines) {
        if (line.startsWith("Caused by: ")) {
          cause = line.substring("Caused by: ".length());
        }
      }
      return Optional.of(lines[0].equals(cause) ? cause : lines[0] + " ... caused by " + cause);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private JsonNode getJson(String path) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(restUrl.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "GET "
                + restUrl.resolve(path)
                + " answered "
                + response.statusCode()
                + ": "
                + response.body());
      }
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new IllegalStateException("GET " + restUrl.resolve(path) + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private <T> T get(java.util.concurrent.CompletableFuture<T> future, String what) {
    try {
      return future.get(2, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + " failed at " + restUrl + ": " + rootMessage(e), e);
    } catch (Exception e) {
      throw new IllegalStateException(what + " failed at " + restUrl + ": " + e, e);
    }
  }

  /** The deepest cause's message: Flink wraps the reason in layers of its own. */
  static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return root == t || message == null
        ? String.valueOf(t.getMessage() == null ? t : t.getMessage())
        : message;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
