package io.citybrain.simulators;

/**
 * The boot id this simulator process sends with every message: its devices count their seqs from 1
 * again at each start, and a new boot id tells the stream job so.
 */
final class BootId {
  /** The process's start time in ms: a new value at every start, never 0. */
  static final long OF_THIS_PROCESS = Math.max(1, System.currentTimeMillis());

  private BootId() {}
}
