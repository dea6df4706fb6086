package io.citybrain.api.auth;

import io.citybrain.api.http.Caller;
import io.citybrain.api.http.Role;
import java.util.Optional;
import java.util.Set;

/**
 * Who may create or change which user: a caller whose district scope covers the target's (before
 * and after) and whose role is at least the target's; admins are touched by city-wide admins only.
 */
public final class UserPolicy {
  private UserPolicy() {}

  /** Why {@code caller} may not create this user, or empty when it may. */
  public static Optional<String> refuseCreate(Caller caller, Role role, Set<String> districts) {
    return refuseGrant(caller, role, districts);
  }

  /**
   * Why {@code caller} may not change {@code target} into the given role and scope (null: as now)
   * or disable it, or empty when it may.
   */
  public static Optional<String> refuseUpdate(
      Caller caller, UserStore.Account target, UserStore.Change change) {
    if (target.role() == Role.ADMIN && !caller.districts().isEmpty()) {
      return Optional.of(
          "'" + target.username() + "' is an admin: only a city-wide admin may change it");
    }
    if (!caller.has(target.role())) {
      return Optional.of(
          "'" + target.username() + "' is " + target.role().id() + ", above your role");
    }
    if (!covers(caller, target.districts())) {
      return Optional.of(
          "'"
              + target.username()
              + "' acts in "
              + scope(target.districts())
              + ", outside your districts ("
              + scope(caller.districts())
              + ")");
    }
    // Nobody locks themselves out: another admin does that, audited.
    if (caller.name().equals(target.username())
        && (Boolean.TRUE.equals(change.disabled())
            || (change.role() != null && change.role() != target.role())
            || change.districts() != null)) {
      return Optional.of("you cannot disable yourself or change your own role or districts");
    }
    return refuseGrant(
        caller,
        change.role() != null ? change.role() : target.role(),
        change.districts() != null ? change.districts() : target.districts());
  }

  /** The role and scope a user would get must be within what the caller holds. */
  private static Optional<String> refuseGrant(Caller caller, Role role, Set<String> districts) {
    if (role == Role.ADMIN && !caller.districts().isEmpty()) {
      return Optional.of("only a city-wide admin may grant the admin role");
    }
    if (!caller.has(role)) {
      return Optional.of("you may not grant " + role.id() + ", above your role");
    }
    // An admin of some districts grants no more than those: no unscoped users, none outside its own
    // districts.
    if (!covers(caller, districts)) {
      return Optional.of("districts must be within your own: " + scope(caller.districts()));
    }
    return Optional.empty();
  }

  /** Empty scope is every district: only a city-wide caller covers it. */
  private static boolean covers(Caller caller, Set<String> districts) {
    return caller.districts().isEmpty()
        || (!districts.isEmpty() && caller.districts().containsAll(districts));
  }

  private static String scope(Set<String> districts) {
    return districts.isEmpty()
        ? "every district"
        : String.join(", ", districts.stream().sorted().toList());
  }
}
