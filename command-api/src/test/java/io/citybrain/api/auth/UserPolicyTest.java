package io.citybrain.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.api.http.Caller;
import io.citybrain.api.http.Role;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Who may create and change whom. */
class UserPolicyTest {
  private static final Caller CITY_ADMIN = new Caller("root", Role.ADMIN, Set.of());
  private static final Caller DP_ADMIN = new Caller("dp-admin", Role.ADMIN, Set.of("DP"));

  private static UserStore.Account account(String name, Role role, Set<String> districts) {
    return new UserStore.Account(name, role, districts, false, 1);
  }

  private static UserStore.Change password() {
    return new UserStore.Change("a-long-new-secret", null, null, null);
  }

  @Test
  @DisplayName("only city-wide admins grant or touch admins")
  void admins() {
    assertThat(UserPolicy.refuseCreate(DP_ADMIN, Role.ADMIN, Set.of("DP"))).isPresent();
    assertThat(UserPolicy.refuseCreate(CITY_ADMIN, Role.ADMIN, Set.of())).isEmpty();
    UserStore.Account admin = account("demo-admin", Role.ADMIN, Set.of());
    assertThat(UserPolicy.refuseUpdate(DP_ADMIN, admin, password())).isPresent();
    assertThat(UserPolicy.refuseUpdate(CITY_ADMIN, admin, password())).isEmpty();
    // A district admin of the same district is still an admin.
    assertThat(
            UserPolicy.refuseUpdate(
                DP_ADMIN, account("other-dp-admin", Role.ADMIN, Set.of("DP")), password()))
        .isPresent();
  }

  @Test
  @DisplayName("the caller's scope must cover the target's current and new scope")
  void scope() {
    assertThat(UserPolicy.refuseUpdate(DP_ADMIN, account("v", Role.VIEWER, Set.of()), password()))
        .hasValueSatisfying(r -> assertThat(r).contains("outside your districts"));
    assertThat(
            UserPolicy.refuseUpdate(
                DP_ADMIN, account("v", Role.VIEWER, Set.of("DP", "NS")), password()))
        .isPresent();
    UserStore.Account dpViewer = account("v", Role.VIEWER, Set.of("DP"));
    assertThat(UserPolicy.refuseUpdate(DP_ADMIN, dpViewer, password())).isEmpty();
    assertThat(
            UserPolicy.refuseUpdate(
                DP_ADMIN, dpViewer, new UserStore.Change(null, null, Set.of(), null)))
        .isPresent();
    assertThat(
            UserPolicy.refuseUpdate(
                DP_ADMIN, dpViewer, new UserStore.Change(null, Role.COORDINATOR, null, null)))
        .isEmpty();
    assertThat(UserPolicy.refuseCreate(DP_ADMIN, Role.VIEWER, Set.of())).isPresent();
    assertThat(UserPolicy.refuseCreate(DP_ADMIN, Role.VIEWER, Set.of("NS"))).isPresent();
  }

  @Test
  @DisplayName("nobody disables or re-scopes themselves, or outranks its own role")
  void selfAndRank() {
    UserStore.Account self = account("root", Role.ADMIN, Set.of());
    assertThat(
            UserPolicy.refuseUpdate(CITY_ADMIN, self, new UserStore.Change(null, null, null, true)))
        .isPresent();
    assertThat(UserPolicy.refuseUpdate(CITY_ADMIN, self, password())).isEmpty();
    Caller coordinator = new Caller("c", Role.COORDINATOR, Set.of());
    assertThat(UserPolicy.refuseCreate(coordinator, Role.ADMIN, Set.of())).isPresent();
    assertThat(UserPolicy.refuseUpdate(coordinator, account("a", Role.ADMIN, Set.of()), password()))
        .isPresent();
  }
}
