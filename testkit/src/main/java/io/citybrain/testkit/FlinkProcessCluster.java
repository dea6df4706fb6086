package io.citybrain.testkit;

import io.citybrain.embedded.FreePort;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Flink session cluster of separate JVMs on this machine, from the Maven artifacts the build has
 * (what a distribution's {@code lib/} holds, {@code citybrain-flink-cluster}): one JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and N TaskManagers ({@code TaskManagerRunner}), each
 * a {@code java} process with a generated {@code config.yaml}, every port a free loopback one,
 * checkpoints and savepoints in the work dir, logs in {@code workDir/log}. Jobs are submitted to
 * {@link #restUrl()}, as to any cluster; nothing of the job is on the cluster's classpath.
 *
 * <pre>{@code
 * try (FlinkProcessCluster flink = FlinkProcessCluster.builder(dir).taskManagers(2).start()) {
 *   submit the job jar to flink.restUrl() ...
 *   flink.killTaskManager(0);   // SIGKILL
 *   flink.startTaskManager(0);  // a new JVM, registered before this returns
 * }
 * }</pre>
 *
 * Every method that starts a process returns once the REST endpoint reports it (the JobManager
 * answering, the TaskManagers registered); a process that exits meanwhile fails the call with the
 * end of its log.
 */
public final class FlinkProcessCluster implements AutoCloseable {
  static final String JOB_MANAGER_MAIN =
      "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
  static final String TASK_MANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
  private static final String CLASSPATH_RESOURCE = "/flink-cluster/classpath.txt";
  private static final String HOST = "127.0.0.1";

  /** What Flink's own config.yaml passes every JVM on Java 17 (its RPC and serializers reflect). */
  private static final List<String> JAVA_17_OPENS =
      List.of(
          "-XX:+IgnoreUnrecognizedVMOptions",
          "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
          "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.text=ALL-UNNAMED",
          "--add-opens=java.base/java.time=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

  private static final Pattern NUMBER = Pattern.compile("\"([a-z-]+)\"\\s*:\\s*(-?\\d+)");

  private final Builder settings;
  private final Path workDir;
  private final Path confDir;
  private final Path logDir;
  private final String classpath;
  private final int rpcPort;
  private final int restPort;
  private final int blobPort;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private FlinkProcess jobManager;
  private final List<FlinkProcess> taskManagers = new ArrayList<>();

  private FlinkProcessCluster(Builder settings) throws IOException {
    this.settings = settings;
    this.workDir = Files.createDirectories(settings.workDir.toAbsolutePath());
    this.confDir = Files.createDirectories(workDir.resolve("conf"));
    this.logDir = Files.createDirectories(workDir.resolve("log"));
    Files.createDirectories(checkpointDir());
    Files.createDirectories(savepointDir());
    Files.createDirectories(workDir.resolve("tmp"));
    this.classpath = runtimeClasspath();
    this.rpcPort = FreePort.find();
    this.restPort = FreePort.find();
    this.blobPort = FreePort.find();
    Files.writeString(confDir.resolve("config.yaml"), config(), StandardCharsets.UTF_8);
    Files.writeString(confDir.resolve("logback.xml"), LOGBACK, StandardCharsets.UTF_8);
  }

  /** A cluster whose files (configuration, logs, checkpoints, temporary files) go under dir. */
  public static Builder builder(Path workDir) {
    return new Builder(workDir);
  }

  /**
   * The REST endpoint (and web UI): where jobs are submitted, e.g. {@code http://127.0.0.1:PORT}.
   */
  public URI restUrl() {
    return URI.create("http://" + HOST + ":" + restPort);
  }

  /** Where the jobs' checkpoints go: {@code checkpointDir()/<job id>/chk-N/_metadata}. */
  public Path checkpointDir() {
    return workDir.resolve("checkpoints");
  }

  /** Where savepoints go unless a request names another place. */
  public Path savepointDir() {
    return workDir.resolve("savepoints");
  }

  /** The cluster's files: conf/, log/, checkpoints/, savepoints/, tmp/. */
  public Path workDir() {
    return workDir;
  }

  /** The number of TaskManager places, running or killed. */
  public int taskManagers() {
    return taskManagers.size();
  }

  public int slotsPerTaskManager() {
    return settings.slots;
  }

  /** The pid of TaskManager i's JVM (for SIGSTOP and the like); fails when it does not run. */
  public long taskManagerPid(int i) {
    return taskManager(i).pid();
  }

  public long jobManagerPid() {
    return jobManager.pid();
  }

  public boolean taskManagerRunning(int i) {
    return taskManager(i).alive();
  }

  /** SIGKILL to TaskManager i; returns once the process is gone. */
  public void killTaskManager(int i) {
    taskManager(i).kill();
  }

  /**
   * Starts TaskManager i again (a new JVM, new ports, a new resource id) and waits until the
   * JobManager lists exactly the running ones (the killed one's heartbeat has timed out).
   */
  public void startTaskManager(int i) {
    FlinkProcess tm = taskManager(i);
    tm.start();
    awaitTaskManagers(runningTaskManagers());
  }

  /** SIGKILL to the JobManager; the TaskManagers keep running and reconnect once it is back. */
  public void killJobManager() {
    jobManager.kill();
  }

  /**
   * Starts the JobManager again on the same ports (so {@link #restUrl()} stays valid) and waits
   * until every running TaskManager has registered. A session cluster without high availability
   * forgets its jobs: resubmit them, from the latest retained checkpoint.
   */
  public void startJobManager() {
    jobManager.start();
    awaitTaskManagers(runningTaskManagers());
  }

  /**
   * Waits until the JobManager reports exactly {@code count} TaskManagers (a killed one stays
   * listed until its heartbeat times out).
   */
  public void awaitTaskManagers(int count) {
    long deadline = System.nanoTime() + settings.startTimeout.toNanos();
    Map<String, Long> last = Map.of();
    while (System.nanoTime() < deadline) {
      checkProcesses();
      Optional<Map<String, Long>> overview = overview();
      if (overview.isPresent()) {
        last = overview.get();
        if (last.getOrDefault("taskmanagers", -1L) == count
            && last.getOrDefault("slots-total", -1L) == (long) count * settings.slots) {
          return;
        }
      }
      sleep(200);
    }
    throw new IllegalStateException(
        "the Flink cluster did not report "
            + count
            + " TaskManagers within "
            + settings.startTimeout.toSeconds()
            + " s (last /overview: "
            + last
            + ")\n"
            + logTails());
  }

  /** The numbers of the REST endpoint's {@code /overview}, empty while it does not answer. */
  public Optional<Map<String, Long>> overview() {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(restUrl().resolve("/overview"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return Optional.empty();
      }
      Map<String, Long> numbers = new LinkedHashMap<>();
      Matcher m = NUMBER.matcher(response.body());
      while (m.find()) {
        numbers.put(m.group(1), Long.parseLong(m.group(2)));
      }
      return Optional.of(numbers);
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The last lines of every process's log and console output, for a failure's message. */
  public String logTails() {
    StringBuilder out = new StringBuilder();
    if (jobManager != null) {
      out.append(jobManager.tail(40));
    }
    for (FlinkProcess tm : taskManagers) {
      out.append(tm.tail(40));
    }
    return out.toString();
  }

  /** SIGKILL to every process this cluster started. */
  @Override
  public void close() {
    for (FlinkProcess tm : taskManagers) {
      tm.kill();
    }
    if (jobManager != null) {
      jobManager.kill();
    }
  }

  private FlinkProcessCluster launch() {
    // A test JVM that exits without close() (Maven stopped, a crash of the test) takes the
    // cluster with it rather than leaving orphans; SIGKILL of the test JVM itself cannot be caught.
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, "flink-process-cluster-stop"));
    jobManager =
        new FlinkProcess(
            "jobmanager",
            command("jobmanager", JOB_MANAGER_MAIN, settings.jobManagerHeapMb, List.of()),
            logDir.resolve("jobmanager.log"),
            logDir.resolve("jobmanager.out"));
    for (int i = 0; i < settings.taskManagers; i++) {
      taskManagers.add(taskManagerProcess(i));
    }
    try {
      jobManager.start();
      for (FlinkProcess tm : taskManagers) {
        tm.start();
      }
      awaitTaskManagers(settings.taskManagers);
      return this;
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private FlinkProcess taskManagerProcess(int i) {
    String name = "taskmanager-" + i;
    // Ports are Flink's choice (0: free ones) and the resource id a new one at every start: a
    // restarted TaskManager is a new member, as a replaced machine would be.
    List<String> dynamic = List.of("-Dtaskmanager.rpc.port=0", "-Dtaskmanager.data.port=0");
    return new FlinkProcess(
        name,
        command(name, TASK_MANAGER_MAIN, settings.taskManagerHeapMb(), dynamic),
        logDir.resolve(name + ".log"),
        logDir.resolve(name + ".out"));
  }

  private List<String> command(String name, String main, int heapMb, List<String> dynamic) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xms" + heapMb + "m");
    cmd.add("-Xmx" + heapMb + "m");
    cmd.add("-XX:MaxMetaspaceSize=" + settings.metaspaceMb + "m");
    if (main.equals(TASK_MANAGER_MAIN)) {
      cmd.add("-XX:MaxDirectMemorySize=" + settings.taskManagerDirectMb() + "m");
    }
    // A small machine shared with other tests: few GC and compiler threads per JVM.
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:CICompilerCount=2");
    cmd.addAll(JAVA_17_OPENS);
    cmd.add("-Dlog.file=" + logDir.resolve(name + ".log"));
    cmd.add("-Dlogback.configurationFile=" + confDir.resolve("logback.xml"));
    cmd.addAll(settings.jvmOptions);
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add(main);
    cmd.add("--configDir");
    cmd.add(confDir.toString());
    cmd.addAll(dynamic);
    return cmd;
  }

  private String config() {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("jobmanager.rpc.address", HOST);
    conf.put("jobmanager.rpc.port", Integer.toString(rpcPort));
    conf.put("jobmanager.bind-host", HOST);
    conf.put("rest.address", HOST);
    conf.put("rest.bind-address", HOST);
    conf.put("rest.port", Integer.toString(restPort));
    conf.put("blob.server.port", Integer.toString(blobPort));
    conf.put("taskmanager.host", HOST);
    conf.put("taskmanager.bind-host", HOST);
    conf.put("taskmanager.numberOfTaskSlots", Integer.toString(settings.slots));
    // A TaskManager started without Flink's scripts must be given its memory explicitly; these
    // match the -Xmx and -XX:MaxDirectMemorySize its JVM gets.
    conf.put("taskmanager.cpu.cores", Integer.toString(settings.slots));
    conf.put("taskmanager.memory.framework.heap.size", settings.frameworkHeapMb + "m");
    conf.put("taskmanager.memory.task.heap.size", settings.taskHeapMb + "m");
    conf.put("taskmanager.memory.framework.off-heap.size", settings.frameworkOffHeapMb + "m");
    conf.put("taskmanager.memory.task.off-heap.size", "0m");
    conf.put("taskmanager.memory.network.min", settings.networkMb + "m");
    conf.put("taskmanager.memory.network.max", settings.networkMb + "m");
    conf.put("taskmanager.memory.managed.size", settings.managedMb + "m");
    conf.put("taskmanager.memory.jvm-metaspace.size", settings.metaspaceMb + "m");
    conf.put("taskmanager.memory.jvm-overhead.min", "128m");
    conf.put("taskmanager.memory.jvm-overhead.max", "128m");
    conf.put("jobmanager.memory.heap.size", settings.jobManagerHeapMb + "m");
    // Spread a job's tasks over the TaskManagers, so that killing one hits part of the job.
    conf.put("taskmanager.load-balance.mode", "SLOTS");
    conf.put("state.backend.type", settings.stateBackend);
    conf.put("execution.checkpointing.dir", checkpointDir().toUri().toString());
    conf.put("execution.checkpointing.savepoint-dir", savepointDir().toUri().toString());
    conf.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
    conf.put("execution.checkpointing.num-retained", "3");
    conf.put("restart-strategy.type", "fixed-delay");
    conf.put("restart-strategy.fixed-delay.attempts", "2147483647");
    conf.put("restart-strategy.fixed-delay.delay", "1 s");
    // A killed process is noticed in seconds, not Flink's default 50 s.
    conf.put("heartbeat.interval", "1000");
    conf.put("heartbeat.timeout", "10000");
    // A TaskManager that finds no JobManager (started together, or while it restarts) tries again
    // after 1 s, not 10.
    conf.put("cluster.registration.error-delay", "1000");
    conf.put("io.tmp.dirs", workDir.resolve("tmp").toString());
    conf.put("web.upload.dir", workDir.resolve("tmp").toString());
    conf.putAll(settings.options);
    StringBuilder yaml = new StringBuilder("# Generated by FlinkProcessCluster\n");
    conf.forEach((k, v) -> yaml.append(k).append(": ").append(quote(v)).append('\n'));
    return yaml.toString();
  }

  private static String quote(String value) {
    return value.matches("[A-Za-z0-9_./:-]+") ? value : "'" + value.replace("'", "''") + "'";
  }

  private void checkProcesses() {
    jobManager.checkAlive();
    for (FlinkProcess tm : taskManagers) {
      tm.checkAlive();
    }
  }

  private int runningTaskManagers() {
    return (int) taskManagers.stream().filter(FlinkProcess::alive).count();
  }

  private FlinkProcess taskManager(int i) {
    if (i < 0 || i >= taskManagers.size()) {
      throw new IllegalArgumentException(
          "no TaskManager " + i + " (the cluster has " + taskManagers.size() + ")");
    }
    return taskManagers.get(i);
  }

  private static String runtimeClasspath() throws IOException {
    try (InputStream in = FlinkProcessCluster.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            CLASSPATH_RESOURCE
                + " is not on the classpath: build the citybrain-flink-cluster module (it writes"
                + " the cluster's classpath)");
      }
      String cp = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      for (String jar : cp.split(java.io.File.pathSeparator)) {
        if (!Files.exists(Path.of(jar))) {
          throw new IllegalStateException(
              "the Flink cluster's classpath names a missing jar, "
                  + jar
                  + ": rebuild flink-cluster");
        }
      }
      return cp;
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** One file per process (log.file), as Flink's own log4j configuration does; the UI shows it. */
  private static final String LOGBACK =
      """
      <configuration>
        <appender name="file" class="ch.qos.logback.core.FileAppender">
          <file>${log.file}</file>
          <append>true</append>
          <encoder>
            <pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern>
          </encoder>
        </appender>
        <logger name="org.apache.flink.runtime.checkpoint" level="INFO"/>
        <logger name="org.apache.pekko" level="WARN"/>
        <logger name="org.apache.flink.shaded" level="WARN"/>
        <root level="INFO">
          <appender-ref ref="file"/>
        </root>
      </configuration>
      """;

  /** How the cluster is laid out; {@link #start()} starts it and waits until it is ready. */
  public static final class Builder {
    private final Path workDir;
    private int taskManagers = 1;
    private int slots = 1;
    private String stateBackend = "hashmap";
    private int jobManagerHeapMb = 384;
    private int frameworkHeapMb = 64;
    private int taskHeapMb = 256;
    private int frameworkOffHeapMb = 64;
    private int networkMb = 64;
    private int managedMb = 128;
    private int metaspaceMb = 256;
    private Duration startTimeout = Duration.ofSeconds(120);
    private final Map<String, String> options = new LinkedHashMap<>();
    private final List<String> jvmOptions = new ArrayList<>();

    private Builder(Path workDir) {
      this.workDir = workDir;
    }

    /** How many TaskManager JVMs (default 1). */
    public Builder taskManagers(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("a cluster needs at least 1 TaskManager, was " + count);
      }
      this.taskManagers = count;
      return this;
    }

    /** Task slots per TaskManager (default 1). */
    public Builder slotsPerTaskManager(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("a TaskManager needs at least 1 slot, was " + count);
      }
      this.slots = count;
      return this;
    }

    /** The cluster's default state backend: hashmap (default) or rocksdb. */
    public Builder stateBackend(String backend) {
      if (!backend.equals("hashmap") && !backend.equals("rocksdb")) {
        throw new IllegalArgumentException(
            "state backend must be hashmap or rocksdb, was " + backend);
      }
      this.stateBackend = backend;
      return this;
    }

    /** The task heap of each TaskManager in MB (default 256; the JVM gets 64 MB more). */
    public Builder taskHeapMb(int mb) {
      this.taskHeapMb = mb;
      return this;
    }

    /** Managed memory of each TaskManager in MB (RocksDB's share; default 128). */
    public Builder managedMemoryMb(int mb) {
      this.managedMb = mb;
      return this;
    }

    /** Any other Flink option for config.yaml, e.g. {@code ("restart-strategy.type", "none")}. */
    public Builder option(String key, String value) {
      options.put(key, value);
      return this;
    }

    /** A JVM option for every process of the cluster. */
    public Builder jvmOption(String option) {
      jvmOptions.add(option);
      return this;
    }

    /** How long a start may take until the REST endpoint reports it (default 120 s). */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    /** Starts the JobManager and the TaskManagers and waits until every slot is registered. */
    public FlinkProcessCluster start() {
      try {
        return new FlinkProcessCluster(this).launch();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot lay out the Flink cluster in " + workDir, e);
      }
    }

    int taskManagerHeapMb() {
      return frameworkHeapMb + taskHeapMb;
    }

    int taskManagerDirectMb() {
      return frameworkOffHeapMb + networkMb;
    }
  }
}
