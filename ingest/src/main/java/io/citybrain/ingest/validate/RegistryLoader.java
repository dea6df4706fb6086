package io.citybrain.ingest.validate;

import java.io.Serializable;

/**
 * Where validation gets its registry. Called when a validating operator opens, on its task, at
 * every start and restart: the job graph carries the loader, not a few MB of registry, and a
 * restarted job sees the devices registered since. Tests pass one that returns a registry they
 * built.
 */
@FunctionalInterface
public interface RegistryLoader extends Serializable {
  Registry load() throws Exception;
}
