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
}
