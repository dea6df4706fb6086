package io.citybrain.stream.testing;

import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingTaskMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;

/** An operator test harness's environment whose operator metrics a test can read back. */
public final class OperatorMetrics {
  private final InterceptingOperatorMetricGroup operator = new InterceptingOperatorMetricGroup();

  /** For the harness's constructor: every operator in it registers its metrics here. */
  public MockEnvironment environment() {
    return new MockEnvironmentBuilder()
        .setMetricGroup(
            new InterceptingTaskMetricGroup() {
              @Override
              public InternalOperatorMetricGroup getOrAddOperator(
                  OperatorID id, String name, Map<String, String> attributes) {
                return operator;
              }
            })
        .build();
  }

  /** The counter's count; fails when the operator registered none of that name. */
  public long count(String name) {
    Counter counter = (Counter) operator.get(name);
    if (counter == null) {
      throw new AssertionError("no counter " + name + " registered");
    }
    return counter.getCount();
  }
}
