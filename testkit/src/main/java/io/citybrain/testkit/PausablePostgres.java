package io.citybrain.testkit;

import io.citybrain.embedded.FreePort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of the test's own (never the shared one): a fresh cluster from the machine's
 * PostgreSQL binaries on a free loopback port, run as the {@code postgres} user when the test runs
 * as root (PostgreSQL refuses root). {@link #pause} stops its postmaster and every backend with
 * SIGSTOP, {@link #resume} continues them: a database that stops answering without closing a
 * connection. Only the processes of this server, found from its own {@code postmaster.pid}, are
 * signalled.
 */
public final class PausablePostgres implements AutoCloseable {
  private final Path dir;
  private final int port;
  private final Process server;
  private final long postmaster;

  private PausablePostgres(Path dir, int port, Process server, long postmaster) {
    this.dir = dir;
    this.port = port;
    this.server = server;
    this.postmaster = postmaster;
  }

  /** Whether this machine has PostgreSQL's server binaries ({@code pg_config --bindir}). */
  public static boolean available() {
    return binDir() != null;
  }

  public static PausablePostgres start() {
    Path bin = binDir();
    if (bin == null) {
      throw new IllegalStateException("no PostgreSQL server binaries (pg_config --bindir)");
    }
    try {
      Path dir = Files.createTempDirectory("citybrain-pausable-pg-");
      Path data = dir.resolve("data");
      boolean root = "root".equals(System.getProperty("user.name"));
      if (root) {
        run(List.of("chown", "-R", "postgres:postgres", dir.toString()));
      }
      run(
          as(
              root,
              List.of(
                  bin.resolve("initdb").toString(),
                  "-D",
                  data.toString(),
                  "-A",
                  "trust",
                  "-U",
                  "postgres",
                  "--no-sync")));
      int port = FreePort.find();
      Process server =
          new ProcessBuilder(
                  as(
                      root,
                      List.of(
                          bin.resolve("postgres").toString(),
                          "-D",
                          data.toString(),
                          "-p",
                          Integer.toString(port),
                          "-k",
                          dir.toString(),
                          "-c",
                          "listen_addresses=127.0.0.1",
                          "-c",
                          "fsync=off",
                          "-c",
                          "max_connections=100")))
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("server.log").toFile())
              .start();
      Path pidFile = data.resolve("postmaster.pid");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        if (Files.exists(pidFile)) {
          List<String> lines = Files.readAllLines(pidFile);
          // Line 8 is the status: "ready" once the server takes connections.
          if (lines.size() >= 8 && lines.get(7).strip().equals("ready")) {
            return new PausablePostgres(dir, port, server, Long.parseLong(lines.get(0).strip()));
          }
        }
        if (!server.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "own PostgreSQL did not start: " + Files.readString(dir.resolve("server.log")));
        }
        Thread.sleep(100);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** JDBC URL of a database on this server (user postgres, trust authentication). */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
  }

  public long postmasterPid() {
    return postmaster;
  }

  /** SIGSTOP to the postmaster and all its children; returns how many processes were stopped. */
  public int pause() {
    return signal("-STOP");
  }

  /** SIGCONT to the postmaster and all its children. */
  public int resume() {
    return signal("-CONT");
  }

  private int signal(String signal) {
    List<String> pids = new ArrayList<>();
    // runuser (root's wrapper) stops itself when its child stops: it is continued too, or closing
    // would wait for it.
    if (server.pid() != postmaster) {
      pids.add(Long.toString(server.pid()));
    }
    pids.add(Long.toString(postmaster));
    ProcessHandle.of(postmaster)
        .map(ProcessHandle::descendants)
        .orElse(Stream.empty())
        .forEach(p -> pids.add(Long.toString(p.pid())));
    List<String> command = new ArrayList<>(List.of("kill", signal));
    command.addAll(pids);
    try {
      // A backend that ended since it was listed is no failure: kill still signals the others.
      new ProcessBuilder(command).redirectErrorStream(true).start().waitFor();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return pids.size();
  }

  private static List<String> as(boolean root, List<String> command) {
    if (!root) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
    wrapped.addAll(command);
    return wrapped;
  }

  private static void run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Path binDir() {
    try {
      Process p = new ProcessBuilder("pg_config", "--bindir").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).strip();
      if (p.waitFor() == 0 && Files.isExecutable(Path.of(out, "postgres"))) {
        return Path.of(out);
      }
    } catch (IOException e) {
      // No pg_config: look where Debian puts the server.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
    try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("postgres")))
          .findFirst()
          .orElse(null);
    } catch (IOException e) {
      return null;
    }
  }

  /** Continues it if paused and stops it (a fast shutdown; SIGKILL after 30 s), then deletes it. */
  @Override
  public void close() {
    resume();
    if (ProcessHandle.of(postmaster).isPresent()) {
      // SIGINT: a fast shutdown, which does not wait for the clients to disconnect.
      run(List.of("kill", "-INT", Long.toString(postmaster)));
    }
    try {
      server.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ProcessHandle.of(postmaster).ifPresent(ProcessHandle::destroyForcibly);
    server.destroyForcibly();
    run(List.of("rm", "-rf", dir.toString()));
  }
}
