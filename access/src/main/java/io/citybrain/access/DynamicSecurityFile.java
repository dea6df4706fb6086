package io.citybrain.access;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Mosquitto 2.0's dynamic-security plugin file ({@code dynamic-security.json}): one client per
 * principal (its username, its password hashed as the plugin checks it) with one role of its own
 * carrying its {@link TopicRights}; everything else is denied.
 *
 * <p>What Mosquitto cannot enforce: retain is not a right of its own there (any principal that may
 * publish on a topic may retain on it), so the consumers' checks ({@link TopicRights#mayRetain})
 * and the devices' refusal of retained commands remain the defence against a retained forgery.
 */
public final class DynamicSecurityFile {
  /** The file's name, as the configuration's {@code plugin_opt_config_file} names it. */
  public static final String NAME = "dynamic-security.json";

  /**
   * The plugin's own hash: PBKDF2-HMAC-SHA512 over a 12-byte salt, 101 iterations (its default).
   * More iterations would only slow every connect: the passwords are 256-bit random, not words.
   */
  static final int ITERATIONS = 101;

  static final int SALT_BYTES = 12;

  /** The plugin's admin role name, which the control API's own checks know. */
  static final String ADMIN_ROLE = "admin";

  /** One ACL of the plugin: its type ({@code publishClientSend}, ...) and topic filter. */
  public record Acl(String type, String topic) {}

  private DynamicSecurityFile() {}

  /**
   * Writes the file for these principals (replacing any earlier one, atomically, owner-only: it
   * holds password hashes).
   */
  public static void write(Path file, List<Principal> principals, Installation installation) {
    String json = json(principals, installation);
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp =
          Files.createTempFile(
              dir,
              ".dynsec-",
              ".json",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, json, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** The file's JSON. */
  public static String json(List<Principal> principals, Installation installation) {
    Set<String> names = new LinkedHashSet<>();
    for (Principal p : principals) {
      if (!names.add(p.name())) {
        throw new IllegalArgumentException(
            "two principals are named '" + p.name() + "'; every username must be unique");
      }
    }
    // Hashing dominates (20,000+ clients): in parallel, each client's text on its own.
    List<String> clients =
        principals.parallelStream().map(p -> client(p, installation.password(p))).toList();
    StringBuilder out = new StringBuilder(principals.size() * 900);
    out.append("{\n\"clients\": [\n");
    out.append(String.join(",\n", clients));
    out.append("\n],\n\"groups\": [],\n\"roles\": [\n");
    List<String> roles = new ArrayList<>();
    boolean admin = false;
    for (Principal p : principals) {
      roles.add(role(p.name(), acls(p)));
      admin |= p.kind() == Principal.Kind.BROKER_ADMIN;
    }
    if (admin) {
      roles.add(role(ADMIN_ROLE, adminAcls()));
    }
    out.append(String.join(",\n", roles));
    // Publishing and subscribing are denied unless a role grants them; a granted subscription
    // receives what it matches, and unsubscribing is harmless.
    out.append(
        "\n],\n\"defaultACLAccess\": {\"publishClientSend\": false, \"publishClientReceive\": true,"
            + " \"subscribe\": false, \"unsubscribe\": true}\n}\n");
    return out.toString();
  }

  /**
   * A principal's ACLs: each publish right a {@code publishClientSend}, each subscribe right a
   * {@code subscribePattern} for the filter and for its shared form.
   */
  public static List<Acl> acls(Principal p) {
    List<Acl> acls = new ArrayList<>();
    for (TopicRights.Grant g : TopicRights.of(p)) {
      if (g.action() == TopicRights.Action.PUBLISH) {
        acls.add(new Acl("publishClientSend", g.filter()));
      } else {
        acls.add(new Acl("subscribePattern", g.filter()));
        // Mosquitto 2.0.11 checks a shared subscription with its whole filter, $share/group/
        // included (tried on a real broker): the shared form is granted, for any group, next to
        // the plain one. A device has no wildcard grant, so its $share/x/# still matches none.
        if (!g.filter().startsWith("$")) {
          acls.add(new Acl("subscribePattern", "$share/+/" + g.filter()));
        }
      }
    }
    return List.copyOf(acls);
  }

  /**
   * The plugin's admin role: its control topics, as {@code mosquitto_ctrl dynsec init} makes it.
   */
  static List<Acl> adminAcls() {
    String control = TopicRights.DYNSEC_CONTROL;
    return List.of(
        new Acl("publishClientSend", control),
        new Acl("publishClientReceive", control),
        new Acl("subscribePattern", control),
        new Acl("unsubscribePattern", control));
  }

  /** The JSON array of these ACLs, as the file and the control API's createRole take it. */
  public static String aclsJson(List<Acl> acls) {
    StringBuilder out = new StringBuilder("[");
    for (int i = 0; i < acls.size(); i++) {
      Acl a = acls.get(i);
      out.append(i == 0 ? "" : ", ")
          .append("{\"acltype\": ")
          .append(quote(a.type()))
          .append(", \"topic\": ")
          .append(quote(a.topic()))
          .append(", \"allow\": true}");
    }
    return out.append(']').toString();
  }

  /** The roles a principal's client carries: its own, and the plugin's admin role for the admin. */
  public static List<String> roleNames(Principal p) {
    return p.kind() == Principal.Kind.BROKER_ADMIN
        ? List.of(p.name(), ADMIN_ROLE)
        : List.of(p.name());
  }

  /** A JSON string literal. */
  public static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  private static String client(Principal p, String password) {
    byte[] salt = Secrets.random(SALT_BYTES);
    StringBuilder roles = new StringBuilder();
    for (String r : roleNames(p)) {
      roles.append(roles.length() == 0 ? "" : ", ").append("{\"rolename\": ").append(quote(r));
      roles.append('}');
    }
    Base64.Encoder b64 = Base64.getEncoder();
    return "{\"username\": "
        + quote(p.name())
        + ", \"textname\": "
        + quote(p.toString())
        + ", \"password\": "
        + quote(b64.encodeToString(hash(password, salt, ITERATIONS)))
        + ", \"salt\": "
        + quote(b64.encodeToString(salt))
        + ", \"iterations\": "
        + ITERATIONS
        + ", \"roles\": ["
        + roles
        + "]}";
  }

  private static String role(String name, List<Acl> acls) {
    return "{\"rolename\": " + quote(name) + ", \"acls\": " + aclsJson(acls) + "}";
  }

  /** PBKDF2-HMAC-SHA512, 64 bytes: what the plugin compares a client's password against. */
  static byte[] hash(String password, byte[] salt, int iterations) {
    try {
      PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 512);
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA512 is part of every Java runtime", e);
    }
  }
}
