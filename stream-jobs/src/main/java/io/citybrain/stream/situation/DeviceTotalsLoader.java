package io.citybrain.stream.situation;

import java.io.Serializable;
import java.util.Map;

/**
 * How many devices each district has registered, the denominator of its online rate. Called when
 * {@link DistrictSituation} opens, on its task, at every start and restart (a restarted job counts
 * the devices registered since); tests pass one that returns a map they built.
 */
@FunctionalInterface
public interface DeviceTotalsLoader extends Serializable {
  /** Devices by district code. */
  Map<String, Integer> load() throws Exception;
}
