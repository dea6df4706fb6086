package io.citybrain.testkit;

import io.citybrain.access.Principal;

/**
 * Makes a principal exist on a test broker, so that its login works there: the dynamic-security
 * plugin's control API on Mosquitto, nothing where every principal is known already.
 */
interface BrokerAccounts extends AutoCloseable {
  /** Every principal is known already (a broker given the whole installation). */
  BrokerAccounts KNOWN = p -> {};

  /** Creates the principal on the broker unless it exists; returns once the broker has it. */
  void admit(Principal principal);

  @Override
  default void close() {}
}
