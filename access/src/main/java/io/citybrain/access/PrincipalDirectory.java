package io.citybrain.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Who may log in to a broker: the installation's four services plus the gateways and devices
 * registered with it, each proving itself with its {@link Installation#password} . Thread-safe: a
 * broker authenticates on its own threads while devices are added.
 */
public final class PrincipalDirectory {
  private final Installation installation;
  private final ConcurrentMap<String, Principal> byName = new ConcurrentHashMap<>();

  /** A directory of the installation's services; add gateways and devices as they are known. */
  public PrincipalDirectory(Installation installation) {
    this.installation = Objects.requireNonNull(installation, "installation");
    for (Principal service :
        List.of(Principal.api(), Principal.job(), Principal.observer(), Principal.brokerAdmin())) {
      byName.put(service.name(), service);
    }
  }

  /**
   * Registers a gateway or device (a service is there already); registering the same one twice is
   * harmless, another principal under a taken name is refused.
   */
  public PrincipalDirectory add(Principal principal) {
    Objects.requireNonNull(principal, "principal");
    Principal held = byName.putIfAbsent(principal.name(), principal);
    if (held != null && !held.equals(principal)) {
      throw new IllegalArgumentException(
          "username '" + principal.name() + "' is taken by " + held + "; cannot add " + principal);
    }
    return this;
  }

  /** Registers each of them (see {@link #add}). */
  public PrincipalDirectory addAll(Collection<Principal> principals) {
    principals.forEach(this::add);
    return this;
  }

  /** The registered principal with this username. */
  public Optional<Principal> find(String username) {
    return username == null ? Optional.empty() : Optional.ofNullable(byName.get(username));
  }

  /** How many principals may log in. */
  public int size() {
    return byName.size();
  }

  /**
   * The principal when the username is registered and the password is its own; compared in constant
   * time, and an unknown username costs the same comparison, so timing tells nothing.
   */
  public Optional<Principal> authenticate(String username, String password) {
    if (username == null || password == null) {
      return Optional.empty();
    }
    Principal principal = byName.get(username);
    byte[] given = password.getBytes(StandardCharsets.UTF_8);
    byte[] expected =
        installation
            .password(principal != null ? principal : Principal.observer())
            .getBytes(StandardCharsets.UTF_8);
    boolean match = MessageDigest.isEqual(given, expected);
    return principal != null && match ? Optional.of(principal) : Optional.empty();
  }
}
