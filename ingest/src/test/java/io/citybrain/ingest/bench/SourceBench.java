package io.citybrain.ingest.bench;

import io.citybrain.access.BrokerLogin;
import io.citybrain.access.Installation;
import io.citybrain.access.Principal;
import io.citybrain.ingest.source.MqttRecord;
import io.citybrain.ingest.source.MqttSource;
import io.citybrain.ingest.source.MqttSourceConfig;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.PahoConnection;
import io.citybrain.proto.MessageClass;
import io.citybrain.proto.Topics;
import io.citybrain.seeds.SeedLoader;
import io.citybrain.simulators.SimCommand;
import io.citybrain.simulators.SimReport;
import io.citybrain.simulators.SimRun;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;

/**
 * Messages/s the MQTT source delivers into Flink beside a bare Paho subscriber, both subscribed to
 * the same broker while the simulator publishes flat out: the same load, the same run. Not a test:
 * run by bench/source.sh. Arguments: broker URL, messages per QoS level.
 */
public final class SourceBench {
  static final AtomicLong SOURCE_COUNT = new AtomicLong();
  static final AtomicLong SOURCE_FIRST = new AtomicLong();
  static final AtomicLong SOURCE_LAST = new AtomicLong();

  private SourceBench() {}

  public static void main(String[] args) throws Exception {
    String broker = args[0];
    int messages = Integer.parseInt(args[1]);
    for (int qos : new int[] {0, 1}) {
      run(broker, messages, qos);
    }
    System.exit(0);
  }

  /**
   * The broker's installation: the folder in env CITYBRAIN_CREDENTIALS (a broker refuses others).
   */
  static Installation installation() {
    String folder = System.getenv("CITYBRAIN_CREDENTIALS");
    if (folder == null) {
      throw new IllegalStateException(
          "set CITYBRAIN_CREDENTIALS to the broker's installation folder (citybrain provision --out"
              + " DIR makes one)");
    }
    return Installation.load(Path.of(folder));
  }

  /** The CA to trust for an {@code ssl://} broker: the file in env CITYBRAIN_MQTT_CA, or none. */
  static String caCertificate() {
    String ca = System.getenv("CITYBRAIN_MQTT_CA");
    return ca == null || ca.isBlank() ? null : ca;
  }

  private static void run(String broker, int messages, int qos) throws Exception {
    String ca = caCertificate();
    SOURCE_COUNT.set(0);
    SOURCE_FIRST.set(0);
    AtomicLong bareCount = new AtomicLong();
    AtomicLong bareFirst = new AtomicLong();
    AtomicLong bareLast = new AtomicLong();
    String tag = "bench-" + qos + "-" + System.currentTimeMillis();
    try (MqttConnection bare =
        PahoConnection.connect(
            MqttSettings.builder(broker, tag + "-bare")
                .maxInflight(65_535)
                .login(BrokerLogin.of(installation(), Principal.brokerAdmin()))
                .caCertificate(ca == null ? null : Path.of(ca))
                .build())) {
      bare.subscribe(
          "city/v1/+/+/+",
          qos,
          (topic, payload) -> {
            long now = System.nanoTime();
            bareFirst.compareAndSet(0, now);
            bareLast.set(now);
            bareCount.incrementAndGet();
          });
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      env.setParallelism(2);
      env.enableCheckpointing(1_000);
      List<String> filters = new ArrayList<>();
      for (String d : SeedLoader.load().districtCodes()) {
        for (MessageClass c : MessageClass.TELEMETRY) {
          filters.add(Topics.filter(c, d));
        }
      }
      env.fromSource(
              new MqttSource(
                  new MqttSourceConfig(
                      broker,
                      BrokerLogin.of(installation(), Principal.job()),
                      ca,
                      filters,
                      tag,
                      2,
                      qos,
                      65_535,
                      Duration.ofMinutes(2),
                      200_000,
                      false)),
              WatermarkStrategy.noWatermarks(),
              "mqtt")
          .map(new Count())
          .sinkTo(new Discard());
      JobClient job = env.executeAsync("source-bench-qos" + qos);
      while (job.getJobStatus().get() != JobStatus.RUNNING) {
        Thread.sleep(100);
      }
      Thread.sleep(3_000);
      SimCommand command = new SimCommand();
      List<String> simArgs = new ArrayList<>();
      if (ca != null) {
        simArgs.add("--mqtt-ca");
        simArgs.add(ca);
      }
      simArgs.addAll(
          List.of(
              "--mqtt-url",
              broker,
              "--credentials",
              installation().folder().toString(),
              "--client-id",
              tag + "-sim",
              "--rate",
              "max",
              "--count",
              Integer.toString(messages),
              "--qos",
              Integer.toString(qos),
              "--no-actuators",
              "--connections",
              "1"));
      new CommandLine(command).parseArgs(simArgs.toArray(String[]::new));
      SimReport report;
      try (SimRun sim = new SimRun(command.config(), null)) {
        report = sim.run();
      }
      long stable = 0;
      long last = -1;
      while (stable < 3) {
        Thread.sleep(1_000);
        long now = SOURCE_COUNT.get() + bareCount.get();
        stable = now == last ? stable + 1 : 0;
        last = now;
      }
      job.cancel().get();
      double bareRate = bareCount.get() / ((bareLast.get() - bareFirst.get()) / 1e9);
      double sourceRate = SOURCE_COUNT.get() / ((SOURCE_LAST.get() - SOURCE_FIRST.get()) / 1e9);
      System.out.printf(
          Locale.ROOT,
          "QoS %d: published %,d at %,.0f msg/s; bare Paho subscriber %,d at %,.0f msg/s; "
              + "source %,d at %,.0f msg/s; ratio %.2f%n",
          qos,
          report.published(),
          report.achievedRate(),
          bareCount.get(),
          bareRate,
          SOURCE_COUNT.get(),
          sourceRate,
          sourceRate / bareRate);
    }
  }

  /** Counts what the source hands to Flink. */
  static final class Count implements MapFunction<MqttRecord, MqttRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public MqttRecord map(MqttRecord record) {
      long now = System.nanoTime();
      SOURCE_FIRST.compareAndSet(0, now);
      SOURCE_LAST.set(now);
      SOURCE_COUNT.incrementAndGet();
      return record;
    }
  }

  /** Drops everything: the benchmark measures the source, not a sink. */
  static final class Discard implements Sink<MqttRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public SinkWriter<MqttRecord> createWriter(WriterInitContext context) {
      return new SinkWriter<>() {
        @Override
        public void write(MqttRecord element, Context ctx) {}

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
      };
    }
  }
}
