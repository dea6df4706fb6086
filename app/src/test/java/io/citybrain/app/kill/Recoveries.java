package io.citybrain.app.kill;

import java.util.List;

/** Recovery times (kill to the first newly stored row) in figures: count, p50, max. */
final class Recoveries {
  private Recoveries() {}

  static String summary(List<Kill> kills) {
    long[] ms = kills.stream().mapToLong(Kill::recoveryMs).filter(t -> t >= 0).sorted().toArray();
    long during = kills.stream().filter(Kill::whilePublishing).count();
    if (ms.length == 0) {
      return String.format(
          "%d kills (%d while publishing), no recovery measured", kills.size(), during);
    }
    return String.format(
        "%d kills (%d while publishing); recovery, kill to first newly stored row: p50 %.1f s, max %.1f s (%d measured)",
        kills.size(), during, p50(ms) / 1000.0, ms[ms.length - 1] / 1000.0, ms.length);
  }

  /** Nearest-rank median. */
  static long p50(long[] sorted) {
    return sorted[(int) Math.ceil(sorted.length * 0.5) - 1];
  }
}
