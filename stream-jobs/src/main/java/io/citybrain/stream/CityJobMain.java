package io.citybrain.stream;

import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.Durations;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The job jar's entry point ({@code flink run citybrain-stream-job.jar --mqtt-url ... --db-url
 * ...}): the same graph as the demo's MiniCluster, on whatever cluster the client submits to, with
 * the real broker and database. Flags override environment variables.
 */
@Command(
    name = "citybrain-stream-job",
    mixinStandardHelpOptions = true,
    description =
        "The CityBrain stream job: district metrics, liveness, alerts, incidents and the live picture.")
public final class CityJobMain implements Callable<Integer> {
  @Spec CommandSpec spec;

  /** The job's flags, shared with {@code citybrain job}. */
  @Mixin CityJobOptions options;

  public static void main(String[] args) throws Exception {
    int code = commandLine(new CityJobMain()).execute(args);
    if (code != 0) {
      // Inside `flink run` an exit would take the client down without a word; an exception carries
      // the message.
      throw new IllegalArgumentException(
          "citybrain-stream-job did not start (exit " + code + ") with " + Arrays.toString(args));
    }
  }

  /**
   * The command line over {@code main}: durations read as people write them (10s, 500ms, PT30S).
   */
  static CommandLine commandLine(CityJobMain main) {
    CommandLine line = new CommandLine(main);
    line.registerConverter(Duration.class, Durations::parse);
    return line;
  }

  @Override
  public Integer call() throws Exception {
    CitySeeds city = options.seeds();
    CityJobConfig config = config(city.districtCodes());
    spec.commandLine().getOut().println(config.describe());
    spec.commandLine().getOut().flush();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    new CityJob(config, city, CityJobIo.of(config)).build(env);
    env.execute("citybrain-city");
    return 0;
  }

  /** The validated configuration; a bad setting is a usage error naming its flag. */
  CityJobConfig config(List<String> districts) {
    return options.config(districts);
  }
}
