package io.citybrain.seeds;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Collects problems while loading so that one run reports all of them. */
final class SeedProblems {
  private final List<SeedProblem> problems = new ArrayList<>();

  void add(String file, String key, String message) {
    problems.add(new SeedProblem(file, key, message));
  }

  /** Records a problem when a required value is missing; returns whether it is present. */
  boolean require(String file, String key, Object value) {
    if (value == null || (value instanceof String text && text.isBlank())) {
      add(file, key, "is required");
      return false;
    }
    return true;
  }

  /** Records a problem when the reference is not one of the known ids. */
  void requireKnown(String file, String key, String what, String value, Collection<String> known) {
    if (value != null && !known.contains(value)) {
      add(
          file,
          key,
          "unknown " + what + " '" + value + "' (known: " + String.join(", ", known) + ")");
    }
  }

  /** Records a problem for every id that appears more than once. */
  void requireUnique(String file, String listKey, List<String> ids) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      if (id != null && !seen.add(id)) {
        add(file, listKey + "[" + i + "]", "duplicate id '" + id + "'");
      }
    }
  }

  void throwIfAny() {
    if (!problems.isEmpty()) {
      throw new SeedException(problems);
    }
  }
}
