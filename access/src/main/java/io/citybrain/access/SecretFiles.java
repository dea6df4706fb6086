package io.citybrain.access;

import io.citybrain.settings.InvalidSettingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Set;

/** Secret files: written owner-only, read only when nobody else may read them. */
public final class SecretFiles {
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private SecretFiles() {}

  /** Writes text to a new owner-only file; refuses to overwrite one. */
  public static void write(Path file, String text) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      } catch (UnsupportedOperationException notPosix) {
        Files.createFile(file);
      }
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (FileAlreadyExistsException e) {
      throw new IllegalStateException(file + " exists already; a secret is never overwritten", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * Replaces a file with text, owner-only, atomically: for files derived anew on every run (a
   * principal's password, a copy of the CA certificate), never for a secret that is made once.
   */
  public static void replace(Path file, String text) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp;
      try {
        tmp =
            Files.createTempFile(
                dir, ".secret-", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      } catch (UnsupportedOperationException notPosix) {
        tmp = Files.createTempFile(dir, ".secret-", ".tmp");
      }
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Writes bytes as base64 text to a new owner-only file. */
  public static void writeBase64(Path file, byte[] bytes) {
    write(file, Base64.getEncoder().encodeToString(bytes) + "\n");
  }

  /**
   * The trimmed text of a secret file; fails with an exact message when it is missing, empty, or
   * readable by group or others.
   */
  public static String read(Path file, String setting) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidSettingException(setting, "needs the file " + file + ", which is missing");
    }
    try {
      try {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (perms.contains(PosixFilePermission.GROUP_READ)
            || perms.contains(PosixFilePermission.OTHERS_READ)) {
          throw new InvalidSettingException(
              setting,
              "file "
                  + file
                  + " is readable by others ("
                  + PosixFilePermissions.toString(perms)
                  + "); chmod 600 it");
        }
      } catch (UnsupportedOperationException notPosix) {
        // Not a POSIX file system: nothing to check.
      }
      String text = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (text.isEmpty()) {
        throw new InvalidSettingException(setting, "file " + file + " is empty");
      }
      return text;
    } catch (IOException e) {
      throw new InvalidSettingException(setting, "cannot read " + file + ": " + e.getMessage());
    }
  }

  /** The bytes of a base64 secret file. */
  public static byte[] readBase64(Path file, String setting) {
    String text = read(file, setting);
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new InvalidSettingException(setting, "file " + file + " is not base64");
    }
  }
}
