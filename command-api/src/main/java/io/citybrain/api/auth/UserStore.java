package io.citybrain.api.auth;

import io.citybrain.api.http.ApiException;
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
 * The local user store (table api_user): bcrypt hashes, one role, a district scope, a token version
 * and a disabled flag. Blocking: call on a worker.
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

  /** A user whose password matched: what a token grants, and the version it carries. */
  public record StoredUser(String username, Role role, Set<String> districts, int tokenVersion) {}

  /**
   * Creates or resets a user (the operator's bootstrap and the demo's users, not the API): a reset
   * bumps the token version, so the tokens of the user it replaces end.
   */
  public void put(
      Connection connection, String username, String password, Role role, Set<String> districts)
      throws SQLException {
    checkName(username);
    String hash = hasher.hash(password);
    try (PreparedStatement ps =
        connection.prepareStatement(
            """
        INSERT INTO api_user (username, password_hash, role, districts) VALUES (?, ?, ?, ?)
        ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role,
          districts = excluded.districts, disabled = false, token_version = api_user.token_version + 1,
          updated_at = now()""")) {
      ps.setString(1, username);
      ps.setString(2, hash);
      ps.setString(3, role.id());
      ps.setArray(4, connection.createArrayOf("text", districts.stream().sorted().toArray()));
      ps.executeUpdate();
    }
  }

  private static void checkName(String username) {
    if (username == null || !username.matches("[a-z0-9_.-]{1,64}")) {
      throw new IllegalArgumentException(
          "username must be 1-64 of a-z, 0-9, '_', '.', '-', was '" + username + "'");
    }
  }

  /**
   * Creates a new user on behalf of an admin, audited in the same transaction; 409 when the name is
   * taken (changing a user is {@link #update}, with its own checks). The user as the API shows it.
   */
  public JsonObject create(
      Connection connection,
      String username,
      String password,
      Role role,
      Set<String> districts,
      String actor)
      throws SQLException {
    checkName(username);
    String hash = hasher.hash(password);
    try (PreparedStatement ps =
        connection.prepareStatement(
            """
        INSERT INTO api_user (username, password_hash, role, districts) VALUES (?, ?, ?, ?)
        ON CONFLICT (username) DO NOTHING""")) {
      ps.setString(1, username);
      ps.setString(2, hash);
      ps.setString(3, role.id());
      ps.setArray(4, connection.createArrayOf("text", districts.stream().sorted().toArray()));
      if (ps.executeUpdate() == 0) {
        throw ApiException.conflict(
            new JsonObject()
                .put(
                    "reason",
                    "user '"
                        + username
                        + "' exists; change it with PATCH /api/v1/users/"
                        + username)
                .put("allowed", new JsonArray()));
      }
    }
    AuditLog.append(
        connection,
        new AuditLog.Entry(
            actor,
            "create_user",
            username,
            null,
            null,
            "allowed",
            new JsonObject()
                .put("role", role.id())
                .put("districts", new JsonArray(districts.stream().sorted().toList()))));
    return view(username, role, districts, false);
  }

  /** A user as stored, without the hash: for the authorization of a change. */
  public record Account(
      String username, Role role, Set<String> districts, boolean disabled, int tokenVersion) {}

  /** The user, locked for the rest of the transaction so two changes do not interleave. */
  public Optional<Account> account(Connection connection, String username) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT role, districts, disabled, token_version FROM api_user WHERE username = ?"
                + " FOR UPDATE")) {
      ps.setString(1, username);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Account(
                username,
                Role.parse(rs.getString(1)).orElseThrow(),
                Set.copyOf(List.of((String[]) rs.getArray(2).getArray())),
                rs.getBoolean(3),
                rs.getInt(4)));
      }
    }
  }

  /** What an admin changes of a user; null fields stay as they are. */
  public record Change(String password, Role role, Set<String> districts, Boolean disabled) {}

  /**
   * Applies an allowed change and bumps the token version, so every token issued before it ends at
   * once; audited in the same transaction. The user as the API shows it.
   */
  public JsonObject update(Connection connection, Account before, Change change, String actor)
      throws SQLException {
    Role role = change.role() != null ? change.role() : before.role();
    Set<String> districts = change.districts() != null ? change.districts() : before.districts();
    boolean disabled = change.disabled() != null ? change.disabled() : before.disabled();
    String hash = change.password() == null ? null : hasher.hash(change.password());
    try (PreparedStatement ps =
        connection.prepareStatement(
            """
        UPDATE api_user SET password_hash = coalesce(?, password_hash), role = ?, districts = ?,
          disabled = ?, token_version = token_version + 1, updated_at = now()
        WHERE username = ?""")) {
      ps.setString(1, hash);
      ps.setString(2, role.id());
      ps.setArray(3, connection.createArrayOf("text", districts.stream().sorted().toArray()));
      ps.setBoolean(4, disabled);
      ps.setString(5, before.username());
      ps.executeUpdate();
    }
    JsonObject detail =
        new JsonObject()
            .put("role", role.id())
            .put("districts", new JsonArray(districts.stream().sorted().toList()))
            .put("disabled", disabled)
            .put("password_changed", hash != null);
    AuditLog.append(
        connection,
        new AuditLog.Entry(actor, "update_user", before.username(), null, null, "allowed", detail));
    return view(before.username(), role, districts, disabled);
  }

  private static JsonObject view(
      String username, Role role, Set<String> districts, boolean disabled) {
    return new JsonObject()
        .put("username", username)
        .put("role", role.id())
        .put("districts", new JsonArray(districts.stream().sorted().toList()))
        .put("disabled", disabled);
  }

  /**
   * What is stored of a user: the hash to check a password against, and what a token would grant.
   */
  public record Credentials(
      String username,
      String hash,
      Role role,
      Set<String> districts,
      boolean disabled,
      int tokenVersion) {}

  /**
   * The stored credentials of a user, if any. Quick: the hash is checked later, off the database
   * connection.
   */
  public Optional<Credentials> lookup(Connection connection, String username) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT password_hash, role, districts, disabled, token_version FROM api_user"
                + " WHERE username = ?")) {
      ps.setString(1, username);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        Role role = Role.parse(rs.getString(2)).orElseThrow();
        List<String> districts = List.of((String[]) rs.getArray(3).getArray());
        return Optional.of(
            new Credentials(
                username,
                rs.getString(1),
                role,
                Set.copyOf(districts),
                rs.getBoolean(4),
                rs.getInt(5)));
      }
    }
  }

  /**
   * The token version a live token of this user must carry; empty when the user is gone or disabled
   * (every token of it is refused).
   */
  public Optional<Integer> liveTokenVersion(Connection connection, String username)
      throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT token_version FROM api_user WHERE username = ? AND NOT disabled")) {
      ps.setString(1, username);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getInt(1)) : Optional.empty();
      }
    }
  }

  /**
   * The user when the password matches and the user is enabled; empty otherwise (unknown and
   * disabled users cost a hash too, so timing tells nothing).
   */
  public Optional<StoredUser> check(Optional<Credentials> found, String password) {
    if (found.isEmpty()) {
      hasher.matches(password, dummyHash);
      return Optional.empty();
    }
    Credentials c = found.get();
    boolean matches = hasher.matches(password, c.hash());
    return matches && !c.disabled()
        ? Optional.of(new StoredUser(c.username(), c.role(), c.districts(), c.tokenVersion()))
        : Optional.empty();
  }
}
