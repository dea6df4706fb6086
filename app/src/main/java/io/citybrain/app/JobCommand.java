package io.citybrain.app;

import io.citybrain.embedded.FreePort;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.stream.CityJobConfig;
import io.citybrain.stream.CityJobOptions;
import io.citybrain.stream.DurationFlag;
import io.citybrain.stream.deploy.JobJarSubmitter;
import io.citybrain.stream.deploy.RetainedCheckpoints;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The stream job alone: on an in-process Flink MiniCluster for a single machine (as the demo runs
 * it), or submitted to a Flink cluster's REST endpoint ({@code --flink-rest}), the same jar and
 * arguments {@code flink run} takes, optionally resumed from the latest retained checkpoint or a
 * savepoint. The job's flags are the job jar's own ({@link CityJobOptions}).
 */
@Command(
    name = "job",
    mixinStandardHelpOptions = true,
    description =
        "Run the stream job alone: on an in-process Flink MiniCluster, or submitted to a Flink"
            + " cluster with --flink-rest (the jar `flink run` takes).")
final class JobCommand implements Callable<Integer> {
  /** {@code --resume latest}: the newest complete chk-N under --checkpoint-dir. */
  static final String LATEST = "latest";

  /** This command's own flags; every other one is the job's and goes to the jar's main as typed. */
  private static final Set<String> OWN =
      Set.of(
          "--flink-rest",
          "--flink-rest-url",
          "--job-jar",
          "--resume",
          "--bind",
          "--flink-rest-port",
          "--start-timeout",
          "--help",
          "--version");

  @Spec CommandSpec spec;

  @Mixin CityJobOptions job;

  @Option(
      names = {"--flink-rest", "--flink-rest-url"},
      paramLabel = "URL",
      defaultValue = "${env:CITYBRAIN_FLINK_REST_URL}",
      description =
          "Submit the job jar to this Flink cluster's REST endpoint, e.g. http://127.0.0.1:8081"
              + " (env CITYBRAIN_FLINK_REST_URL), print the job id and exit 0 once it runs."
              + " Without: run the job here, on an in-process MiniCluster, until stopped.")
  String flinkRest;

  @Option(
      names = "--job-jar",
      paramLabel = "JAR",
      defaultValue = "${env:CITYBRAIN_JOB_JAR}",
      description =
          "With --flink-rest: the shaded job jar (env CITYBRAIN_JOB_JAR; default:"
              + " citybrain-stream-job.jar beside the app's jar).")
  Path jobJar;

  @Option(
      names = "--resume",
      paramLabel = "latest|PATH",
      description =
          "Start from the latest retained checkpoint under --checkpoint-dir (latest), or from this"
              + " savepoint or retained chk-N directory.")
  String resume;

  @Option(
      names = "--bind",
      paramLabel = "ADDRESS",
      defaultValue = "${env:CITYBRAIN_BIND:-" + DemoSettings.DEFAULT_BIND + "}",
      description =
          "In-process: the address Flink's REST endpoint (health, web UI) and blob server listen"
              + " on (default: ${DEFAULT-VALUE}; env CITYBRAIN_BIND).")
  String bind;

  @Option(
      names = "--flink-rest-port",
      paramLabel = "PORT",
      defaultValue = "8081",
      description =
          "In-process: the port of Flink's REST endpoint; 0 picks a free one (default:"
              + " ${DEFAULT-VALUE}).")
  int restPort;

  @Option(
      names = "--start-timeout",
      paramLabel = "D",
      defaultValue = "120s",
      converter = DurationFlag.class,
      description = "How long the job may take to run every task (default: ${DEFAULT-VALUE}).")
  Duration startTimeout;

  @Override
  public Integer call() throws Exception {
    CitySeeds seeds = job.seeds();
    CityJobConfig config = job.config(seeds.districtCodes());
    if (!InetAddresses.isLiteral(bind)) {
      throw usage("--bind must be an IP address such as 127.0.0.1 or 0.0.0.0, was '" + bind + "'");
    }
    if (restPort < 0 || restPort > 65535) {
      throw usage("--flink-rest-port must be within 0..65535, was " + restPort);
    }
    URI cluster = cluster();
    Optional<String> restore = restorePath(config);
    PrintWriter out = spec.commandLine().getOut();
    if (cluster != null) {
      Path jar = jar();
      try (JobJarSubmitter submitter = JobJarSubmitter.connect(cluster)) {
        JobID id = submitter.submit(jar, jobArguments(), restore);
        submitter.awaitRunning(id, startTimeout);
        out.printf(
            "citybrain job: citybrain-city runs on %s as job %s%s%n",
            cluster, id, restore.map(p -> ", resumed from " + p).orElse(""));
        out.println(id);
        out.flush();
      }
      return 0;
    }
    spec.commandLine().getErr().println(config.describe());
    MiniClusterNetwork network =
        new MiniClusterNetwork(bind, restPort == 0 ? FreePort.find() : restPort, FreePort.find());
    StreamJobRunner runner = StreamJobRunner.start(config, seeds, network, restore);
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> runner.closeQuietly(), "citybrain-job-stop"));
    out.printf(
        "citybrain job: citybrain-city runs on an in-process Flink MiniCluster as job %s%s%n"
            + "  Flink REST %s (health: /jobs/%s), blob server port %d, on %s%n"
            + "running; press Ctrl+C to stop%n",
        runner.jobId(),
        restore.map(p -> ", resumed from " + p).orElse(""),
        network.restUrl(),
        runner.jobId(),
        network.blobPort(),
        bind);
    out.flush();
    // Until the job ends (it fails for good, or Ctrl+C cancels it): its end is this command's.
    runner.awaitEnd();
    return 1;
  }

  /** The cluster's REST URL, validated; null for the in-process job. */
  private URI cluster() {
    if (flinkRest == null || flinkRest.isBlank()) {
      if (matched("--job-jar")) {
        throw usage("--job-jar needs --flink-rest (the in-process job runs the app's own classes)");
      }
      return null;
    }
    if (matched("--flink-rest-port")) {
      throw usage(
          "--flink-rest-port is the in-process job's; a cluster's REST endpoint is --flink-rest");
    }
    try {
      URI uri = new URI(flinkRest);
      if ("http".equals(uri.getScheme()) && uri.getHost() != null && uri.getPort() > 0) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // Reported below with the expected form.
    }
    throw usage(
        "--flink-rest must be http://HOST:PORT, e.g. http://127.0.0.1:8081, was " + flinkRest);
  }

  /** Where the job starts from: --resume latest or PATH, checked before anything starts. */
  Optional<String> restorePath(CityJobConfig config) {
    if (resume == null) {
      return Optional.empty();
    }
    if (resume.equals(LATEST)) {
      if (config.checkpointDir() == null) {
        throw usage(
            "--resume latest needs --checkpoint-dir (the retained checkpoints are found there)");
      }
      Path dir;
      try {
        dir = RetainedCheckpoints.localDirectory(config.checkpointDir());
      } catch (IllegalArgumentException e) {
        throw usage("--resume latest: " + e.getMessage() + "; give --resume PATH instead");
      }
      return Optional.of(
          RetainedCheckpoints.latest(dir)
              .orElseThrow(
                  () ->
                      usage(
                          "--resume latest: no retained checkpoint (a chk-N directory with a "
                              + RetainedCheckpoints.METADATA
                              + ") in "
                              + dir))
              .toUri()
              .toString());
    }
    if (resume.isBlank()) {
      throw usage("--resume must be latest or the path of a savepoint or chk-N directory");
    }
    Path local = localPath(resume);
    if (local != null
        && !Files.isRegularFile(local.resolve(RetainedCheckpoints.METADATA))
        && !(Files.isRegularFile(local)
            && local.getFileName().toString().equals(RetainedCheckpoints.METADATA))) {
      throw usage(
          "--resume: no checkpoint or savepoint at "
              + resume
              + " (a savepoint or chk-N directory holding "
              + RetainedCheckpoints.METADATA
              + ")");
    }
    return Optional.of(resume);
  }

  /** A local path for a plain path or a file: URI; null for a remote one (s3://...). */
  private static Path localPath(String location) {
    if (!location.contains("://") && !location.startsWith("file:")) {
      return Path.of(location);
    }
    URI uri = URI.create(location);
    return "file".equals(uri.getScheme()) ? Path.of(uri.getPath()) : null;
  }

  /** The job jar: --job-jar, else the one beside the app's jar (the build copies it there). */
  private Path jar() {
    Path jar = jobJar;
    if (jar == null) {
      try {
        Path code =
            Path.of(JobCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        // app/target/citybrain-app.jar, or app/target/classes when run from the build.
        jar = code.getParent().resolve("citybrain-stream-job.jar");
      } catch (URISyntaxException e) {
        throw new IllegalStateException("cannot tell where the app's jar is", e);
      }
    }
    if (!Files.isRegularFile(jar)) {
      throw usage(
          "--job-jar: no job jar at "
              + jar.toAbsolutePath()
              + " (./mvnw -pl app -am package builds it; or give --job-jar)");
    }
    return jar;
  }

  /** The job's flags as they were typed, for the jar's main (which reads the environment too). */
  private List<String> jobArguments() {
    List<String> args = new ArrayList<>();
    for (OptionSpec option : spec.commandLine().getParseResult().matchedOptions()) {
      if (OWN.contains(option.longestName())) {
        continue;
      }
      args.add(option.longestName());
      if (option.arity().max() > 0) {
        args.addAll(option.originalStringValues());
      }
    }
    return args;
  }

  private boolean matched(String option) {
    return spec.commandLine().getParseResult().hasMatchedOption(option);
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
