package io.citybrain.app;

import io.citybrain.api.CommandApiMain;
import picocli.CommandLine.Command;

/**
 * {@code citybrain api}: the Command API and the wall alone, on a database and broker already
 * running ({@code citybrain migrate} first, or its own {@code --migrate} with an owner's URL). Any
 * number of them may share one database; one at a time holds the response leader lease and tracks
 * the runs (command-api/README.md, "Leader lease and resume").
 */
@Command(
    name = "api",
    mixinStandardHelpOptions = true,
    description =
        "The Command API (REST + WebSocket) and the wall, on a running PostgreSQL and MQTT broker.")
public final class ApiCommand extends CommandApiMain {
  public ApiCommand() {
    super("citybrain api", 2, " (see --help)");
  }
}
