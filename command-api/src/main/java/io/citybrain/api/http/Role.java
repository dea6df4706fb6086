package io.citybrain.api.http;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a user may do, each role including the ones before it: view, operate (cases), coordinate
 * (commands), admin.
 */
public enum Role {
  VIEWER,
  OPERATOR,
  COORDINATOR,
  ADMIN;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean includes(Role other) {
    return ordinal() >= other.ordinal();
  }

  /** This role and every role it includes: what goes into a token's roles claim. */
  public List<String> grantedIds() {
    return Arrays.stream(values()).filter(this::includes).map(Role::id).toList();
  }

  public static Optional<Role> parse(String id) {
    return Arrays.stream(values()).filter(r -> r.id().equals(id)).findFirst();
  }
}
