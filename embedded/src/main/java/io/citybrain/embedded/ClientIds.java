package io.citybrain.embedded;

import io.citybrain.access.Principal;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Which principal holds each MQTT client id: the first to log in with it, for the broker's
 * lifetime. A client id names a session, so a device taking the job's id would take over the job's
 * subscriptions and queued messages; it is refused instead.
 */
final class ClientIds {
  private final ConcurrentMap<String, Principal> owners = new ConcurrentHashMap<>();

  /** True when the id is free or already this principal's; it is the principal's from now on. */
  boolean claim(String clientId, Principal principal) {
    return owners.computeIfAbsent(clientId, id -> principal).equals(principal);
  }

  /** The principal holding the id, or null. */
  Principal owner(String clientId) {
    return owners.get(clientId);
  }
}
