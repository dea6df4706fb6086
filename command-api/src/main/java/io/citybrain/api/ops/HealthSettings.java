package io.citybrain.api.ops;

import io.citybrain.settings.Check;
import io.citybrain.settings.Described;
import io.citybrain.settings.Description;
import java.time.Duration;

/**
 * What {@code /health} watches beyond the broker connection: the stream job on a Flink REST
 * endpoint ({@code flinkRestUrl} null: not watched), and how old the newest stored row and the
 * newest live snapshot may be before the pipeline counts as stale ({@link Duration#ZERO}: not
 * checked).
 */
public record HealthSettings(
    String flinkRestUrl, String jobName, Duration maxStoredAge, Duration maxSnapshotAge)
    implements Described {
  /** The name the demo and {@code citybrain job} give the stream job. */
  public static final String DEFAULT_JOB_NAME = "citybrain-city";

  /**
   * Windows close every minute and may wait out lateness and idleness first; five minutes without a
   * row or a snapshot is an outage, not a slow minute.
   */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(5);

  public static final HealthSettings DEFAULT =
      new HealthSettings(null, DEFAULT_JOB_NAME, DEFAULT_MAX_AGE, DEFAULT_MAX_AGE);

  public HealthSettings {
    if (flinkRestUrl != null) {
      Check.require(
          flinkRestUrl.matches("https?://[^/\\s]+(/\\S*)?"),
          "Flink REST URL",
          "must be an http(s) URL such as http://127.0.0.1:8081, was '" + flinkRestUrl + "'");
      flinkRestUrl = flinkRestUrl.replaceAll("/+$", "");
    }
    Check.required(jobName, "stream job name", DEFAULT_JOB_NAME);
    Check.notNegative(maxStoredAge, "health max age");
    Check.notNegative(maxSnapshotAge, "health max age");
  }

  public HealthSettings withFlinkRestUrl(String url) {
    return new HealthSettings(url, jobName, maxStoredAge, maxSnapshotAge);
  }

  public HealthSettings withMaxAges(Duration stored, Duration snapshot) {
    return new HealthSettings(flinkRestUrl, jobName, stored, snapshot);
  }

  @Override
  public Description describe() {
    return new Description("health")
        .add(
            "health: stream job",
            flinkRestUrl == null ? "not watched" : jobName + " at " + flinkRestUrl)
        .add("health: newest row within", maxStoredAge.isZero() ? "(not checked)" : maxStoredAge)
        .add(
            "health: newest snapshot within",
            maxSnapshotAge.isZero() ? "(not checked)" : maxSnapshotAge);
  }
}
