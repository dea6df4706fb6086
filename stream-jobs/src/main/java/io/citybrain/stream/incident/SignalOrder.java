package io.citybrain.stream.incident;

import java.util.Comparator;
import org.apache.flink.cep.EventComparator;

/**
 * Orders signals that share a timestamp by what they are, so CEP sees them in the same order on
 * every run whatever order the network delivered them in: replays then give the same incidents.
 */
final class SignalOrder implements EventComparator<Signal> {
  private static final long serialVersionUID = 1L;

  private static final Comparator<Signal> ORDER =
      Comparator.<Signal>comparingInt(s -> s.kind)
          .thenComparing(s -> s.name, Comparator.nullsFirst(Comparator.naturalOrder()))
          .thenComparing(s -> s.deviceId, Comparator.nullsFirst(Comparator.naturalOrder()))
          .thenComparingLong(s -> s.seq)
          .thenComparing(s -> s.alertId, Comparator.nullsFirst(Comparator.naturalOrder()))
          .thenComparingDouble(s -> s.value);

  @Override
  public int compare(Signal a, Signal b) {
    return ORDER.compare(a, b);
  }
}
