package io.citybrain.simulators;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad flags stop the simulator before it connects: exit code 2 and one line that says why. */
class SimCommandTest {

  @ParameterizedTest(name = "{0} {1}")
  @DisplayName("a bad flag exits 2 with a one-line reason")
  @CsvSource(
      delimiter = '|',
      value = {
        "--districts|XX|unknown district 'XX' (known: FT, LH, NS, YT, BA, LG, LHU, PS, GM, DP, SS)",
        "--rate|0|--rate must be a positive number of messages per second or 'max', was 0.0",
        "--rate|-3|--rate must be a positive number of messages per second or 'max', was -3.0",
        "--rate|fast|--rate must be a positive number of messages per second or 'max', was 'fast'",
        "--shard|3/2|--shard must be i/n with 1 <= i <= n, was 3/2",
        "--shard|0/2|--shard must be i/n with 1 <= i <= n, was 0/2",
        "--qos|2|--qos must be 0 or 1, was 2",
        "--scale|0|--scale must be a positive number, was 0.0",
        "--scenario|tsunami|unknown scenario 'tsunami' (shipped: normal_day, flood, fire, crowd_surge, device_outage",
        "--duration|soon|'soon' is not a duration",
        "--fault-malformed|1.5|--fault-malformed must be a rate within 0..1, was 1.5"
      })
  void badFlag(String flag, String value, String reason) {
    StringWriter err = new StringWriter();
    int code =
        SimCommand.commandLine(new SimCommand())
            .setErr(new PrintWriter(err, true))
            .setOut(new PrintWriter(new StringWriter(), true))
            .execute(flag, value, "--broker", "tcp://127.0.0.1:1", "--quiet");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString().strip()).startsWith("sim: ").contains(reason).doesNotContain("\n");
  }
}
