package io.citybrain.stream.alert;

import io.citybrain.seeds.AlertRule;
import io.citybrain.stream.metric.WindowStats;
import java.util.List;
import java.util.Locale;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by "district|metric": applies the seed alert rules of that metric to each 10 s window's
 * statistic. A rule raises after {@code consecutive} adjacent windows past its threshold (debounce;
 * a window without data breaks the run), clears at the first window past its clear threshold
 * (hysteresis), and has at most one open alert per district. A window is judged once, when it first
 * closes: a late re-firing of an older window changes its stored row, not alerts.
 */
public final class AlertEvaluator extends KeyedProcessFunction<String, WindowStats, AlertEvent> {
  private static final long serialVersionUID = 1L;
  private final List<AlertRule> rules;
  private transient MapState<String, RuleState> states;
  private transient ValueState<Long> lastJudged;

  public AlertEvaluator(List<AlertRule> rules) {
    this.rules = List.copyOf(rules);
  }

  @Override
  public void open(OpenContext context) {
    states =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "rules", Types.STRING, TypeInformation.of(RuleState.class)));
    lastJudged =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("last-judged-window-end", Types.LONG));
  }

  @Override
  public void processElement(WindowStats stats, Context ctx, Collector<AlertEvent> out)
      throws Exception {
    long end = stats.windowEndMs();
    Long judged = lastJudged.value();
    if (judged != null && end <= judged) {
      return;
    }
    lastJudged.update(end);
    for (AlertRule rule : rules) {
      if (!rule.metric().equals(stats.metric)
          || (rule.districts() != null
              && !rule.districts().isEmpty()
              && !rule.districts().contains(stats.district))) {
        continue;
      }
      double value = stats.statistic(rule.statistic().name().toLowerCase(Locale.ROOT));
      if (Double.isNaN(value)) {
        continue;
      }
      RuleState state = states.get(rule.id());
      if (state == null) {
        state = new RuleState();
      }
      judge(rule, stats, end, value, state, out);
      states.put(rule.id(), state);
    }
  }

  private static void judge(
      AlertRule rule,
      WindowStats stats,
      long end,
      double value,
      RuleState state,
      Collector<AlertEvent> out) {
    if (state.openAlertId != null) {
      if (rule.clears(value)) {
        out.collect(
            event(
                rule,
                stats,
                state.openAlertId,
                false,
                value,
                state.raisedValue,
                state.raisedAtMs,
                end));
        state.openAlertId = null;
        state.consecutive = 0;
      }
      return;
    }
    if (!rule.raises(value)) {
      state.consecutive = 0;
      return;
    }
    long start = end - stats.resolutionS * 1000L;
    state.consecutive =
        state.consecutive > 0 && state.lastWindowEndMs == start ? state.consecutive + 1 : 1;
    state.lastWindowEndMs = end;
    if (state.consecutive >= rule.consecutive()) {
      state.openAlertId = rule.id() + ":" + stats.district + ":" + end;
      state.raisedAtMs = end;
      state.raisedValue = value;
      out.collect(event(rule, stats, state.openAlertId, true, value, value, end, 0));
    }
  }

  private static AlertEvent event(
      AlertRule rule,
      WindowStats stats,
      String id,
      boolean raised,
      double value,
      double raisedValue,
      long raisedAt,
      long clearedAt) {
    AlertEvent e = new AlertEvent();
    e.alertId = id;
    e.ruleId = rule.id();
    e.district = stats.district;
    e.metric = rule.metric();
    e.severity = rule.severity();
    e.raised = raised;
    e.value = value;
    e.raisedValue = raisedValue;
    e.threshold = rule.threshold();
    e.windowEndMs = stats.windowEndMs();
    e.raisedAtMs = raisedAt;
    e.clearedAtMs = clearedAt;
    return e;
  }
}
