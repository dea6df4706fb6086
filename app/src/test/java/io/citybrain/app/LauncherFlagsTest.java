package io.citybrain.app;

import static io.citybrain.app.CommandResult.help;
import static io.citybrain.app.CommandResult.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.settings.InvalidSettingException;
import io.citybrain.simulators.Flags;
import io.citybrain.simulators.FleetSettings;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The launcher's flags without starting anything: one vocabulary across demo, migrate and sim, and
 * each setting's problem restated for its flag (exit 2, one line).
 */
class LauncherFlagsTest {

  @Test
  @DisplayName("a bad --scale reads exactly as the README says: citybrain demo: --scale ...")
  void scaleAsDocumented() {
    CommandResult demo = run("demo", "--scale", "0");
    assertThat(demo.code()).isEqualTo(2);
    assertThat(demo.err().strip())
        .isEqualTo("citybrain demo: --scale must be a positive number, was 0.0 (see --help)");
    assertThat(demo.out()).isEmpty();
    CommandResult sim = run("sim", "--speed", "0");
    assertThat(sim.code()).isEqualTo(2);
    assertThat(sim.err().strip())
        .isEqualTo("citybrain sim: --speed must be a positive number, was 0.0 (see --help)");
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @DisplayName("a bad setting of demo or migrate names its flag, and never shows a password")
  @CsvSource(
      delimiter = '|',
      value = {
        "demo|--sim-rate|0|--sim-rate must be a positive number, was 0.0",
        "demo|--api-port|70000|--api-port must be within 0..65535, was 70000",
        "demo|--mqtt-port|-1|--mqtt-port must be within 0..65535, was -1",
        "demo|--mqtt-url|localhost:1883|--mqtt-url must look like tcp://host:port or ssl://host:port, was 'localhost:1883'",
        "demo|--db-url|postgres://db/x?password=s3cret|--db-url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db), was 'postgres://db/x?password=***'",
        "demo|--scale|2000|--scale must be at most 1000.0, was 2000.0",
        "demo|--bind|example.org|--bind must be an IP address such as 127.0.0.1 or 0.0.0.0, was 'example.org'",
        "demo|--bind|127.0.0.1.5|--bind must be an IP address such as 127.0.0.1 or 0.0.0.0, was '127.0.0.1.5'",
        "migrate|--db-url|mysql://db/x?user=u&password=s3cret|--db-url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db), was 'mysql://db/x?user=u&password=***'",
        "migrate|--scale|-1|--scale must be a positive number, was -1.0",
        "sim|--broker|nowhere|--mqtt-url must look like tcp://host:port or ssl://host:port, was 'nowhere'",
      })
  void badSetting(String command, String flag, String value, String message) {
    CommandResult result =
        command.equals("migrate") && !flag.equals("--db-url")
            ? run(command, flag, value, "--db-url", "jdbc:postgresql://127.0.0.1:1/x")
            : run(command, flag, value);
    assertThat(result.code()).as(result.err()).isEqualTo(2);
    assertThat(result.err().strip())
        .isEqualTo("citybrain " + command + ": " + message + " (see --help)")
        .doesNotContain("s3cret");
  }

  @Test
  @DisplayName(
      "demo, migrate and sim say --mqtt-url and --db-url, each with its environment variable")
  void oneVocabulary() {
    assertThat(help("demo"))
        .contains(
            "--mqtt-url=URL", "env CITYBRAIN_MQTT_URL", "--db-url=JDBC", "env CITYBRAIN_DB_URL");
    assertThat(help("migrate")).contains("--db-url=JDBC", "env CITYBRAIN_DB_URL");
    assertThat(help("sim"))
        .contains("--mqtt-url=URL", "env CITYBRAIN_MQTT_URL")
        .containsPattern("--broker=URL +Deprecated: the old name of --mqtt-url");
    for (String command : List.of("demo", "migrate", "sim")) {
      assertThat(help(command)).as(command).doesNotContain("--db ", "--mqtt ");
    }
  }

  @Test
  @DisplayName("every setting demo and migrate describe has the flag the command declares")
  void everySettingHasItsFlag() {
    CommandLine launcher = new CommandLine(new CityBrainCommand());
    checkFlags(
        launcher.getSubcommands().get("demo").getCommandSpec(),
        DemoCommand.FLAGS,
        demo("jdbc:postgresql://db:5432/citybrain?user=u&password=s3cret").describe().toString());
    checkFlags(
        launcher.getSubcommands().get("migrate").getCommandSpec(),
        MigrateCommand.FLAGS,
        new MigrateSettings(FleetSettings.shipped(), "jdbc:postgresql://db/x")
            .describe()
            .toString());
  }

  @Test
  @DisplayName("the demo's and migrate's descriptions list every setting once, password masked")
  void descriptions() {
    assertThat(
            demo("jdbc:postgresql://db:5432/citybrain?user=u&password=s3cret")
                .describe()
                .toString()
                .lines())
        .containsExactly(
            "demo:",
            "  seeds              classpath:/seeds",
            "  scale              1.0",
            "  fleet seed         20190429",
            "  MQTT URL           embedded",
            "  MQTT port          1883 (a free one when taken)",
            "  database URL       jdbc:postgresql://db:5432/citybrain?user=u&password=***",
            "  stream job         on",
            "  API                on",
            "  API port           8080 (a free one when taken)",
            "  simulator          on",
            "  simulator rate     each device at its own interval",
            "  exit after start   off",
            "  workers            on",
            "  work speed         60.0x real time",
            "  work success rate  0.97",
            "  duty coordinator   on",
            "  bind address       127.0.0.1 (this machine only)");
    assertThat(
            new MigrateSettings(
                    FleetSettings.shipped(), "jdbc:postgresql://db/x?user=u&password=s3cret")
                .describe()
                .toString())
        .containsPattern("database URL +jdbc:postgresql://db/x\\?user=u&password=\\*\\*\\*")
        .containsPattern("database runtime role +citybrain_app")
        .doesNotContain("s3cret");
    assertThat(
            new MigrateSettings(
                    FleetSettings.shipped(),
                    "jdbc:postgresql://db/x",
                    "app",
                    "runtime-s3cret-password")
                .describe()
                .toString())
        .containsPattern("database runtime password +\\*\\*\\*")
        .doesNotContain("s3cret");
    assertThatThrownBy(() -> new MigrateSettings(FleetSettings.shipped(), null))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessage(
            "database URL must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db), was not set");
  }

  private static DemoSettings demo(String dbUrl) {
    return new DemoSettings(
        FleetSettings.shipped(),
        null,
        DemoSettings.DEFAULT_MQTT_PORT,
        dbUrl,
        true,
        true,
        DemoSettings.DEFAULT_API_PORT,
        true,
        null,
        false,
        DemoSettings.DEFAULT_BIND,
        true,
        60,
        0.97,
        true);
  }

  private static void checkFlags(CommandSpec spec, Flags flags, String description) {
    description
        .lines()
        .skip(1)
        .map(line -> line.strip().split(" {2,}")[0])
        .forEach(
            setting ->
                assertThat(spec.findOption(flags.flagOf(setting)))
                    .as("%s: the flag of %s", spec.name(), setting)
                    .isNotNull());
  }
}
