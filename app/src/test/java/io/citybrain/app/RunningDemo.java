package io.citybrain.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * {@code citybrain demo} running in this JVM on a thread of its own, as a person starts it: what it
 * printed, read by pattern; closing it interrupts it as Ctrl+C would and waits for it to stop.
 */
final class RunningDemo implements AutoCloseable {
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();
  private final Thread thread;

  private RunningDemo(String... args) {
    List<String> all = new ArrayList<>(List.of("demo"));
    all.addAll(List.of(args));
    thread =
        new Thread(
            () ->
                CityBrainCommand.run(
                    new PrintWriter(out, true),
                    new PrintWriter(err, true),
                    all.toArray(String[]::new)),
            "demo-under-test");
  }

  /** Starts the demo and waits until it says it is running (or stops). */
  static RunningDemo start(String... args) {
    RunningDemo demo = new RunningDemo(args);
    demo.thread.start();
    Awaitility.await()
        .atMost(Duration.ofMinutes(3))
        .until(
            () -> demo.out.toString().contains("running; press Ctrl+C") || !demo.thread.isAlive());
    assertThat(demo.out.toString()).as(demo.err.toString()).contains("running; press Ctrl+C");
    return demo;
  }

  /** The first group of the first match of {@code regex} in what the demo printed. */
  String printed(String regex) {
    Matcher m = Pattern.compile(regex).matcher(out.toString());
    assertThat(m.find()).as("'%s' in%n%s", regex, out).isTrue();
    return m.group(1);
  }

  @Override
  public void close() throws InterruptedException {
    thread.interrupt();
    thread.join(Duration.ofMinutes(1).toMillis());
  }
}
