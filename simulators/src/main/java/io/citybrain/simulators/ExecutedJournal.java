package io.citybrain.simulators;

import io.citybrain.proto.v1.AckStatus;
import io.citybrain.settings.InvalidSettingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The command ids an actuator process has executed and their first outcomes, so that no id runs
 * twice, not even across a restart. One append-only file per process ({@code executed.log} in the
 * state folder), each entry forced to disk before the device answers ACCEPTED; entries past their
 * command's expiry are dropped when the journal is opened (a command past its expiry is refused by
 * its expiry anyway). A lock file keeps a second process out of the same folder.
 *
 * <p>Line format: {@code A <device> <command id> <expires ms>} when a command is accepted, {@code O
 * <device> <command id> <status number> <detail>} when its outcome is known; texts in base64,
 * fields separated by tabs. A torn last line (a crash while writing) is ignored.
 */
final class ExecutedJournal implements AutoCloseable {
  static final String FILE = "executed.log";
  static final String LOCK = "executed.lock";

  /**
   * One executed command: its outcome is null while it runs (or if the process died running it).
   */
  record Entry(long expiresAtMs, AckStatus status, String detail) {}

  private final Path file;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final Map<Key, Entry> entries = new HashMap<>();
  private FileChannel out;

  private ExecutedJournal(Path file, FileChannel lockChannel, FileLock lock) {
    this.file = file;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Opens (or creates) the journal in {@code folder}, dropping entries expired before {@code
   * nowMs}.
   */
  static ExecutedJournal open(Path folder, long nowMs) {
    try {
      Files.createDirectories(folder);
      FileChannel channel =
          FileChannel.open(
              folder.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        channel.close();
        throw new InvalidSettingException(
            "actuator state",
            "folder "
                + folder
                + " is in use by another actuator process; give each its own --actuator-state");
      }
      ExecutedJournal journal = new ExecutedJournal(folder.resolve(FILE), channel, lock);
      journal.load(nowMs);
      return journal;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the actuator journal in " + folder, e);
    }
  }

  private void load(long nowMs) throws IOException {
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String[] f = line.split("\t", -1);
        try {
          if (f.length == 4 && f[0].equals("A")) {
            entries.put(key(d(f[1]), d(f[2])), new Entry(Long.parseLong(f[3]), null, null));
          } else if (f.length == 5 && f[0].equals("O")) {
            Entry e = entries.get(key(d(f[1]), d(f[2])));
            if (e != null) {
              String detail = d(f[4]);
              entries.put(
                  key(d(f[1]), d(f[2])),
                  new Entry(e.expiresAtMs(), AckStatus.forNumber(Integer.parseInt(f[3])), detail));
            }
          }
        } catch (IllegalArgumentException torn) {
          // A line cut short by a crash: the entry it began was never acknowledged.
        }
      }
    }
    entries.values().removeIf(e -> e.expiresAtMs() < nowMs);
    rewrite();
    out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  /** The live entries only, written to a new file that replaces the old one at once. */
  private void rewrite() throws IOException {
    Path next = file.resolveSibling(FILE + ".new");
    try (FileChannel c =
        FileChannel.open(
            next,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      StringBuilder text = new StringBuilder();
      entries.forEach(
          (key, e) -> {
            text.append(acceptedLine(key.deviceId(), key.commandId(), e.expiresAtMs()));
            if (e.status() != null) {
              text.append(outcomeLine(key.deviceId(), key.commandId(), e.status(), e.detail()));
            }
          });
      c.write(ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
      c.force(true);
    }
    Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The entry of a command this process (or its predecessor on the folder) executed. */
  Entry find(String deviceId, String commandId) {
    return entries.get(key(deviceId, commandId));
  }

  /** Records an execution and forces it to disk; call before answering ACCEPTED. */
  void accepted(String deviceId, String commandId, long expiresAtMs) {
    append(acceptedLine(deviceId, commandId, expiresAtMs));
    entries.put(key(deviceId, commandId), new Entry(expiresAtMs, null, null));
  }

  /** Records a command's outcome (DONE or FAILED) and forces it to disk; call before its ack. */
  void outcome(String deviceId, String commandId, AckStatus status, String detail) {
    Entry e = entries.get(key(deviceId, commandId));
    if (e == null) {
      return;
    }
    append(outcomeLine(deviceId, commandId, status, detail));
    entries.put(key(deviceId, commandId), new Entry(e.expiresAtMs(), status, detail));
  }

  private void append(String line) {
    try {
      out.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
      out.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the actuator journal " + file, e);
    }
  }

  private static String acceptedLine(String deviceId, String commandId, long expiresAtMs) {
    return String.join("\t", "A", b64(deviceId), b64(commandId), Long.toString(expiresAtMs)) + "\n";
  }

  private static String outcomeLine(
      String deviceId, String commandId, AckStatus status, String detail) {
    return String.join(
            "\t",
            "O",
            b64(deviceId),
            b64(commandId),
            Integer.toString(status.getNumber()),
            b64(detail))
        + "\n";
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String d(String field) {
    return new String(Base64.getDecoder().decode(field), StandardCharsets.UTF_8);
  }

  private static Key key(String deviceId, String commandId) {
    return new Key(deviceId, commandId);
  }

  private record Key(String deviceId, String commandId) {}

  @Override
  public void close() {
    try {
      if (out != null) {
        out.close();
      }
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      // Closing at shutdown: the entries were forced to disk as they were written.
    }
  }
}
