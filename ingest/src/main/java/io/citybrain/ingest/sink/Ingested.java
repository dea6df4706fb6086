package io.citybrain.ingest.sink;

import io.citybrain.ingest.validate.Rejection;
import io.citybrain.ingest.validate.TelemetryItem;

/**
 * What reaches the raw sink from a job that validates upstream: an item (perhaps flagged) or a
 * rejection.
 */
public class Ingested {
  public TelemetryItem item;
  public Rejection rejection;

  /**
   * The rejection is of an item already stored and counted (an operator after the raw sink failed
   * on it): dead-lettered, not counted again.
   */
  public boolean counted;

  public Ingested() {}

  public static Ingested of(TelemetryItem item) {
    Ingested in = new Ingested();
    in.item = item;
    return in;
  }

  public static Ingested of(Rejection rejection) {
    Ingested in = new Ingested();
    in.rejection = rejection;
    return in;
  }

  /** A dead letter of an item the accounting already counted as stored. */
  public static Ingested ofCounted(Rejection rejection) {
    Ingested in = of(rejection);
    in.counted = true;
    return in;
  }
}
