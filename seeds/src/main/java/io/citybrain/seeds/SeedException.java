package io.citybrain.seeds;

import java.util.List;

/** Bad reference data: every problem found, each naming the file and the key. */
public final class SeedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient List<SeedProblem> problems;

  public SeedException(List<SeedProblem> problems) {
    super(format(problems));
    this.problems = List.copyOf(problems);
  }

  public List<SeedProblem> problems() {
    return problems;
  }

  private static String format(List<SeedProblem> problems) {
    StringBuilder text =
        new StringBuilder("invalid seed data (")
            .append(problems.size())
            .append(problems.size() == 1 ? " problem" : " problems")
            .append("):");
    problems.forEach(problem -> text.append("\n  ").append(problem));
    return text.toString();
  }
}
