package io.citybrain.simulators.bench;

import io.citybrain.proto.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The yardstick for the simulator's publish rate: bare Paho clients publishing one fixed payload in
 * a tight loop, each connection on its own thread, with only the in-flight bound Paho needs. What
 * the simulator adds (scheduling, signals, protobuf encoding, accounting) shows as the gap between
 * the two.
 */
@Command(
    name = "paho-baseline",
    mixinStandardHelpOptions = true,
    description =
        "Publish a fixed payload as fast as bare Paho can, and print messages per second.")
public final class PahoBaseline implements Callable<Integer> {
  @Option(
      names = {"--mqtt-url", "--broker"},
      defaultValue = "tcp://127.0.0.1:1883",
      description = "MQTT broker (--broker: its deprecated name).")
  String broker;

  @Option(names = "--qos", defaultValue = "1")
  int qos;

  @Option(names = "--connections", defaultValue = "4")
  int connections;

  @Option(names = "--seconds", defaultValue = "10")
  int seconds;

  @Option(
      names = "--payload-bytes",
      defaultValue = "60",
      description =
          "Payload size; a simulated reading is about 50-70 bytes (default: ${DEFAULT-VALUE}).")
  int payloadBytes;

  @Option(
      names = "--topics",
      defaultValue = "1",
      description =
          "Publish round-robin over this many topics per connection (default: ${DEFAULT-VALUE}).")
  int topics;

  @Option(names = "--max-inflight", defaultValue = "1000")
  int maxInflight;

  public static void main(String[] args) {
    System.exit(new CommandLine(new PahoBaseline()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    LongAdder acked = new LongAdder();
    List<Thread> threads = new ArrayList<>();
    List<MqttAsyncClient> clients = new ArrayList<>();
    long endNanos = System.nanoTime() + seconds * 1_000_000_000L;
    byte[] payload = new byte[payloadBytes];
    for (int c = 0; c < connections; c++) {
      MqttAsyncClient client =
          new MqttAsyncClient(
              broker,
              "paho-baseline-" + c + "-" + ProcessHandle.current().pid(),
              new MemoryPersistence());
      MqttConnectionOptions options = new MqttConnectionOptions();
      options.setCleanStart(true);
      IMqttToken connect = client.connect(options);
      connect.waitForCompletion(10_000);
      Integer serverMax =
          connect.getResponseProperties() == null
              ? null
              : connect.getResponseProperties().getReceiveMaximum();
      Semaphore inflight =
          new Semaphore(Math.min(maxInflight, serverMax == null ? 65_535 : serverMax));
      clients.add(client);
      String[] topicNames = new String[topics];
      for (int t = 0; t < topics; t++) {
        topicNames[t] = Topics.reading("BENCH", "baseline-" + c + "-" + t);
      }
      Thread thread =
          new Thread(
              () -> {
                MqttActionListener release =
                    new MqttActionListener() {
                      @Override
                      public void onSuccess(IMqttToken token) {
                        acked.increment();
                        inflight.release();
                      }

                      @Override
                      public void onFailure(IMqttToken token, Throwable error) {
                        inflight.release();
                      }
                    };
                try {
                  for (long n = 0; System.nanoTime() < endNanos; n++) {
                    inflight.acquire();
                    MqttMessage message = new MqttMessage(payload);
                    message.setQos(qos);
                    client.publish(
                        topicNames[(int) (n % topicNames.length)], message, null, release);
                  }
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              },
              "paho-baseline-" + c);
      threads.add(thread);
    }
    long start = System.nanoTime();
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    for (MqttAsyncClient client : clients) {
      client.disconnect().waitForCompletion(10_000);
      client.close();
    }
    System.out.printf(
        Locale.ROOT,
        "paho-baseline qos=%d connections=%d published=%d seconds=%.2f rate=%.0f%n",
        qos,
        connections,
        acked.sum(),
        elapsed,
        acked.sum() / elapsed);
    return 0;
  }
}
