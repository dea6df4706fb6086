package io.citybrain.app;

import org.apache.flink.configuration.BlobServerOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;

/**
 * Where the demo's in-process Flink listens: its REST endpoint, blob server and task manager on one
 * address (loopback unless the demo is widened), on ports chosen up front so the demo can say them.
 */
record MiniClusterNetwork(String host, int restPort, int blobPort) {

  /**
   * The Flink configuration for this address. Flink's own defaults bind the blob server and the
   * task manager to every interface, and its REST endpoint answers job cancellations without
   * authentication, so nothing is left to a default.
   */
  Configuration configuration() {
    Configuration config = new Configuration();
    config.set(RestOptions.BIND_ADDRESS, host);
    config.set(RestOptions.ADDRESS, host);
    config.set(RestOptions.BIND_PORT, Integer.toString(restPort));
    config.set(BlobServerOptions.PORT, Integer.toString(blobPort));
    config.set(JobManagerOptions.BIND_HOST, host);
    config.set(JobManagerOptions.ADDRESS, host);
    config.set(TaskManagerOptions.BIND_HOST, host);
    config.set(TaskManagerOptions.HOST, host);
    return config;
  }

  /** The REST endpoint's URL, with a wildcard host shown as loopback (where to reach it). */
  String restUrl() {
    return "http://" + DemoSettings.reachable(host) + ":" + restPort;
  }
}
