package io.citybrain.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One JVM of a {@link FlinkProcessCluster} (its JobManager or a TaskManager): started with a
 * command line, killed with SIGKILL, its log and console output in files of the cluster's work dir.
 */
final class FlinkProcess {
  private final String name;
  private final List<String> command;
  private final Path log;
  private final Path console;
  private Process process;
  private boolean killed;

  FlinkProcess(String name, List<String> command, Path log, Path console) {
    this.name = name;
    this.command = List.copyOf(command);
    this.log = log;
    this.console = console;
  }

  String name() {
    return name;
  }

  /** Starts the JVM; its console (stdout and stderr) is appended to its .out file. */
  void start() {
    if (alive()) {
      throw new IllegalStateException(name + " runs already (pid " + process.pid() + ")");
    }
    try {
      // One file across restarts, so a failure shows what each life of the process said.
      Files.writeString(
          console,
          "---- " + name + " started " + Instant.now() + "\n",
          StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
      killed = false;
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /** The process id of the running JVM; fails when it does not run. */
  long pid() {
    if (!alive()) {
      throw new IllegalStateException(name + " does not run");
    }
    return process.pid();
  }

  /** SIGKILL (no shutdown hook runs, nothing is flushed), and waits until the process is gone. */
  void kill() {
    if (process == null) {
      return;
    }
    killed = true;
    process.destroyForcibly();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException(name + " (pid " + process.pid() + ") survived SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while killing " + name, e);
    }
  }

  /** Fails, with the end of its output, when the JVM has exited without being killed. */
  void checkAlive() {
    if (process != null && !killed && !process.isAlive()) {
      throw new IllegalStateException(
          name + " exited with " + process.exitValue() + ":\n" + tail(60));
    }
  }

  /** The last lines of the process's log and of its console output. */
  String tail(int lines) {
    return "==> "
        + log
        + " <==\n"
        + tail(log, lines)
        + "==> "
        + console
        + " <==\n"
        + tail(console, lines);
  }

  private static String tail(Path file, int lines) {
    if (!Files.exists(file)) {
      return "(none)\n";
    }
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      StringBuilder out = new StringBuilder();
      for (String line :
          new ArrayList<>(all.subList(Math.max(0, all.size() - lines), all.size()))) {
        out.append(line).append('\n');
      }
      return out.toString();
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")\n";
    }
  }
}
