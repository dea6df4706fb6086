package io.citybrain.app;

import io.citybrain.simulators.SimCommand;
import java.io.PrintWriter;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code citybrain} launcher: one subcommand per role, {@code demo} for everything in one JVM.
 */
@Command(
    name = "citybrain",
    mixinStandardHelpOptions = true,
    version = "CityBrain 0.1.0",
    description = "Smart-city telemetry and command-center backend.",
    subcommands = {
      DemoCommand.class,
      JobCommand.class,
      MigrateCommand.class,
      ProvisionCommand.class,
      SimCommand.class
    })
public final class CityBrainCommand implements Runnable {

  /**
   * Our logging configuration; HiveMQ's jar ships a logback.xml of its own, so ours has a name
   * nobody else uses.
   */
  static final String LOGBACK_CONFIG = "citybrain-logback.xml";

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", LOGBACK_CONFIG);
    }
    System.exit(run(args));
  }

  /**
   * Runs a command line and returns its exit code: 0 done, 1 failed at run time, 2 bad arguments.
   */
  public static int run(String... args) {
    return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
  }

  /** Runs a command line with the given output and error streams. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    // Paho logs through java.util.logging; route it to the one logging binding.
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
    return SimCommand.commandLine(new CityBrainCommand()).setOut(out).setErr(err).execute(args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
