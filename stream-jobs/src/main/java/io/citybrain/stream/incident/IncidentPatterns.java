package io.citybrain.stream.incident;

import io.citybrain.seeds.IncidentPattern;
import io.citybrain.seeds.IncidentPattern.Step;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;

/**
 * Compiles the seed incident patterns into Flink CEP patterns, and says which signals they use.
 *
 * <p>Step {@code i} is the CEP pattern named {@code step<i>}; a storm pattern is one step of any
 * alert, min_alerts times. How partial matches stay bounded when thousands of camera events arrive
 * per minute:
 *
 * <ul>
 *   <li>Each CEP operator is fed only the signals its own pattern can take ({@link #signalsOf}), so
 *       unrelated camera events never reach the NFA, and the event-time sort buffer holds only
 *       relevant signals.
 *   <li>Between steps, and between the repeats of a min_count step, the contiguity is relaxed "skip
 *       till next match" ({@code followedBy}, {@code times(n)} without {@code consecutive()} or
 *       {@code allowCombinations()}): a signal that does not fit is skipped, and one that fits is
 *       taken, never also skipped. So each partial match advances along one path, and the number of
 *       partial matches is at most the number of first-step signals within the time bound. {@code
 *       consecutive()} would be wrong here: other signals of the same pattern interleave with the
 *       repeats; {@code followedByAny}, {@code allowCombinations()} and open-ended {@code
 *       timesOrMore}/ {@code oneOrMore} would branch per signal and grow combinatorially, so none
 *       is used.
 *   <li>{@link AfterMatchSkipStrategy#skipPastLastEvent()}: once a pattern matches, every partial
 *       match that started before its last signal is discarded, so a burst that completes the
 *       pattern does not also complete it again from each of its own signals. Repeats of the same
 *       situation later on are the job of {@link IncidentGate}.
 *   <li>{@code within} bounds the life of every partial match.
 *   <li>Still, every signal that fits the first step opens a partial match, so a device
 *       re-reporting a first-step event every second would open hundreds; {@link FirstStepThrottle}
 *       keeps a few per device per time bound.
 * </ul>
 *
 * An any_of step is one CEP step whose condition accepts the first alternative that fits; an
 * alternative there must be a single signal (a min_count inside any_of is rejected).
 */
public final class IncidentPatterns {

  private IncidentPatterns() {}

  /** The CEP pattern name of step {@code index}. */
  public static String stepName(int index) {
    return "step" + index;
  }

  /** How many CEP steps the pattern compiles to (one for a storm). */
  public static int stepCount(IncidentPattern p) {
    return p.isStorm() ? 1 : p.steps().size();
  }

  /** The CEP pattern of one seed pattern. */
  public static Pattern<Signal, Signal> compile(IncidentPattern p) {
    if (p.withinMinutes() == null || p.withinMinutes() <= 0) {
      throw new IllegalArgumentException("pattern " + p.id() + " needs a positive within_minutes");
    }
    if (p.isStorm()) {
      int minAlerts = p.minAlerts() == null ? 0 : p.minAlerts();
      if (minAlerts < 1) {
        throw new IllegalArgumentException("storm pattern " + p.id() + " needs min_alerts");
      }
      // No skip: every alert of an ongoing storm ends some match (the last min_alerts alerts), so
      // IncidentGate links each alert to the one incident; skipping past a match would leave the
      // storm's tail of fewer than min_alerts alerts in no match. Partial matches stay bounded by
      // the alerts within the time bound (each advances along one path).
      Pattern<Signal, Signal> storm =
          Pattern.<Signal>begin(stepName(0), AfterMatchSkipStrategy.noSkip())
              .where(new StepCondition(List.of(StepMatcher.anyAlert()), stepName(0)));
      return times(storm, minAlerts).within(Duration.ofMinutes(p.withinMinutes()));
    }
    if (p.steps().isEmpty()) {
      throw new IllegalArgumentException("pattern " + p.id() + " has no steps");
    }
    Pattern<Signal, Signal> pattern = null;
    for (int i = 0; i < p.steps().size(); i++) {
      Step step = p.steps().get(i);
      StepCondition condition = new StepCondition(alternatives(p.id(), step), stepName(0));
      pattern =
          i == 0
              ? Pattern.<Signal>begin(stepName(0), AfterMatchSkipStrategy.skipPastLastEvent())
                  .where(condition)
              : pattern.followedBy(stepName(i)).where(condition);
      pattern = times(pattern, step.minCount() == null ? 1 : step.minCount());
    }
    return pattern.within(Duration.ofMinutes(p.withinMinutes()));
  }

  /** The signals one pattern can take: what its CEP operator is fed. */
  public static UsedSignals signalsOf(IncidentPattern p) {
    return p.isStorm()
        ? new UsedSignals(List.of(StepMatcher.anyAlert()))
        : new UsedSignals(leaves(p));
  }

  /**
   * The signals any of the patterns can take: what the job should feed {@link IncidentDetector}
   * with.
   */
  public static UsedSignals signalsOf(List<IncidentPattern> patterns) {
    List<StepMatcher> all = new ArrayList<>();
    for (IncidentPattern p : patterns) {
      all.addAll(p.isStorm() ? List.of(StepMatcher.anyAlert()) : leaves(p));
    }
    return new UsedSignals(all);
  }

  private static Pattern<Signal, Signal> times(Pattern<Signal, Signal> step, int count) {
    // Without consecutive(): the repeats may interleave with other signals (skip till next match,
    // see above).
    return count > 1 ? step.times(count) : step;
  }

  private static List<StepMatcher> leaves(IncidentPattern p) {
    List<StepMatcher> leaves = new ArrayList<>();
    for (Step step : p.steps()) {
      leaves.addAll(alternatives(p.id(), step));
    }
    return leaves;
  }

  /** The alternatives of a step: itself, or the flattened any_of. */
  static List<StepMatcher> alternatives(String patternId, Step step) {
    if (step.anyOf() == null) {
      return List.of(StepMatcher.of(step));
    }
    if (step.anyOf().isEmpty()) {
      throw new IllegalArgumentException(
          "pattern " + patternId + ": any_of needs at least one alternative");
    }
    List<StepMatcher> alternatives = new ArrayList<>();
    for (Step alternative : step.anyOf()) {
      if (alternative.minCount() != null && alternative.minCount() > 1) {
        throw new IllegalArgumentException(
            "pattern "
                + patternId
                + ": min_count inside any_of is not supported ("
                + "an alternative is one signal; put min_count on the any_of step itself)");
      }
      alternatives.addAll(alternatives(patternId, alternative));
    }
    return alternatives;
  }
}
