package io.citybrain.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The job jar's command line: flags to settings, and a bad setting restated as its flag. */
class CityJobMainTest {
  private final StringWriter err = new StringWriter();

  @Test
  @DisplayName("flags become settings; durations read as people write them")
  void flags() {
    CityJobConfig config =
        parse(
                "--mqtt-url",
                "tcp://broker:1883",
                "--db-url",
                "jdbc:postgresql://db/citybrain",
                "--checkpoint-interval",
                "500ms",
                "--allowed-lateness",
                "2m",
                "--no-publish")
            .config(List.of("DP"));
    assertThat(config.mqttUrl()).isEqualTo("tcp://broker:1883");
    assertThat(config.checkpointInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.allowedLateness()).isEqualTo(Duration.ofMinutes(2));
    assertThat(config.outOfOrderness()).isEqualTo(CityJobConfig.DEFAULT_OUT_OF_ORDERNESS);
    assertThat(config.publishResults()).isFalse();
  }

  @Test
  @DisplayName("a bad setting is a usage error that names the flag")
  void restatedWithTheFlag() {
    assertThatThrownBy(
            () ->
                parse("--mqtt-url", "mqtt://broker", "--db-url", "jdbc:postgresql://db/citybrain")
                    .config(List.of("DP")))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageStartingWith("--mqtt-url must look like tcp://host:port");
    assertThatThrownBy(
            () ->
                parse(
                        "--mqtt-url",
                        "tcp://broker:1883",
                        "--db-url",
                        "jdbc:postgresql://db/x",
                        "--lanes",
                        "0")
                    .config(List.of("DP")))
        .hasMessage("--lanes must be at least 1, was 0");
  }

  @Test
  @DisplayName("--broker still works, with a warning, and --mqtt-url wins over it")
  void deprecatedBroker() {
    CityJobMain old = parse("--broker", "tcp://old:1883", "--db-url", "jdbc:postgresql://db/x");
    assertThat(old.config(List.of("DP")).mqttUrl()).isEqualTo("tcp://old:1883");
    assertThat(err.toString()).contains("--broker is deprecated, use --mqtt-url");
    CityJobMain both =
        parse(
            "--broker",
            "tcp://old:1883",
            "--mqtt-url",
            "tcp://new:1883",
            "--db-url",
            "jdbc:postgresql://db/x");
    assertThat(both.config(List.of("DP")).mqttUrl()).isEqualTo("tcp://new:1883");
  }

  private CityJobMain parse(String... args) {
    CityJobMain main = new CityJobMain();
    CommandLine line = CityJobMain.commandLine(main);
    line.setErr(new PrintWriter(err, true));
    line.parseArgs(args);
    return main;
  }
}
