package io.citybrain.app;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * What a {@code citybrain} command run in this JVM returned and printed, for the launcher tests.
 */
record CommandResult(int code, String out, String err) {

  /** Runs {@code citybrain ARGS} in-process, both streams captured. */
  static CommandResult run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = CityBrainCommand.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new CommandResult(code, out.toString(), err.toString());
  }

  /** A subcommand's help with whitespace folded: help wraps at 80 columns, compare words. */
  static String help(String command) {
    StringWriter text = new StringWriter();
    new CommandLine(new CityBrainCommand())
        .getSubcommands()
        .get(command)
        .usage(new PrintWriter(text, true));
    return text.toString().replaceAll("\\s+", " ");
  }
}
