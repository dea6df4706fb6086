package io.citybrain.api.auth;

import io.citybrain.api.http.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The local user store (table api_user): bcrypt hashes, one role, a district scope. Blocking: call
 * on a worker.
 */
public final class UserStore {
  private final PasswordHasher hasher;

  /**
   * A hash of a random password at the same cost, so a login for an unknown user takes as long as a
   * wrong one.
   */
  private final String dummyHash;

  public UserStore(PasswordHasher hasher) {
    this.hasher = hasher;
    this.dummyHash = hasher.hash(hasher.generate());
  }

  /** A stored user. */
  public record StoredUser(String username, Role role, Set<String> districts) {}

  /** Creates or replaces a user. */
  public void put(
      Connection connection, String username, String password, Role role, Set<String> districts)
      throws SQLException {
    if (username == null || !username.matches("[a-z0-9_.-]{1,64}")) {
      throw new IllegalArgumentException(
          "username must be 1-64 of a-z, 0-9, '_', '.', '-', was '" + username + "'");
    }
    String hash = hasher.hash(password);
    try (PreparedStatement ps =
        connection.prepareStatement(
            """
        INSERT INTO api_user (username, password_hash, role, districts) VALUES (?, ?, ?, ?)
        ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role,
          districts = excluded.districts""")) {
      ps.setString(1, username);
      ps.setString(2, hash);
      ps.setString(3, role.id());
      ps.setArray(4, connection.createArrayOf("text", districts.stream().sorted().toArray()));
      ps.executeUpdate();
    }
  }

  /**
   * Creates or replaces a user on behalf of an admin, audited in the same transaction; the user as
   * the API shows it.
   */
  public JsonObject create(
      Connection connection,
      String username,
      String password,
      Role role,
      Set<String> districts,
      String actor)
      throws SQLException {
    put(connection, username, password, role, districts);
    AuditLog.append(
        connection,
        new AuditLog.Entry(
            actor,
            "create_user",
            username,
            null,
            null,
            "allowed",
            new JsonObject().put("role", role.id())));
    return new JsonObject()
        .put("username", username)
        .put("role", role.id())
        .put("districts", new JsonArray(districts.stream().sorted().toList()));
  }

  /**
   * What is stored of a user: the hash to check a password against, and what a token would grant.
   */
  public record Credentials(String username, String hash, Role role, Set<String> districts) {}

  /**
   * The stored credentials of a user, if any. Quick: the hash is checked later, off the database
   * connection.
   */
  public Optional<Credentials> lookup(Connection connection, String username) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT password_hash, role, districts FROM api_user WHERE username = ?")) {
      ps.setString(1, username);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        Role role = Role.parse(rs.getString(2)).orElseThrow();
        List<String> districts = List.of((String[]) rs.getArray(3).getArray());
        return Optional.of(new Credentials(username, rs.getString(1), role, Set.copyOf(districts)));
      }
    }
  }

  /**
   * The user when the password matches; empty otherwise (unknown users cost a hash too, so timing
   * tells nothing).
   */
  public Optional<StoredUser> check(Optional<Credentials> found, String password) {
    if (found.isEmpty()) {
      hasher.matches(password, dummyHash);
      return Optional.empty();
    }
    Credentials c = found.get();
    return hasher.matches(password, c.hash())
        ? Optional.of(new StoredUser(c.username(), c.role(), c.districts()))
        : Optional.empty();
  }
}
