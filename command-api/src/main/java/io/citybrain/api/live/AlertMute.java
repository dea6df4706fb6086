package io.citybrain.api.live;

import java.time.Instant;

/** Which raises the live feed does not push: those a maintenance window mutes. */
@FunctionalInterface
public interface AlertMute {
  AlertMute NONE = (district, ruleId, raisedAt) -> false;

  boolean mutes(String district, String ruleId, Instant raisedAt);
}
