package io.citybrain.stream.sink;

import io.citybrain.access.BrokerLogin;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.PahoConnection;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Publishes results to their MQTT topics at QoS 1. A checkpoint waits until the broker has every
 * message published before it (at-least-once); subscribers see a replayed snapshot or alert again,
 * with the same content and id.
 */
public final class ResultPublisher implements Sink<Publication> {
  private static final long serialVersionUID = 2L;
  private final String brokerUrl;
  private final BrokerLogin login;
  private final String caCertificate;
  private final String clientIdPrefix;

  /**
   * @param login the stream job's: only it may publish results and retain them
   * @param caCertificate the PEM file of an {@code ssl://} broker's CA, or null
   */
  public ResultPublisher(
      String brokerUrl, BrokerLogin login, String caCertificate, String clientIdPrefix) {
    this.brokerUrl = brokerUrl;
    this.login = java.util.Objects.requireNonNull(login, "login");
    this.caCertificate = caCertificate;
    this.clientIdPrefix = clientIdPrefix;
  }

  @Override
  public SinkWriter<Publication> createWriter(WriterInitContext context) {
    String clientId =
        clientIdPrefix + "-publisher-" + context.getTaskInfo().getIndexOfThisSubtask();
    return new Writer(
        PahoConnection.connect(
            MqttSettings.builder(brokerUrl, clientId)
                .login(login)
                .caCertificate(caCertificate == null ? null : Path.of(caCertificate))
                .build()));
  }

  /**
   * One subtask's connection; outstanding publishes are counted so that flush can wait for them.
   */
  private static final class Writer implements SinkWriter<Publication> {
    /** Enough in flight to keep the connection busy, few enough to bound memory. */
    private static final int MAX_OUTSTANDING = 1_000;

    private final MqttConnection connection;
    private final Semaphore outstanding = new Semaphore(MAX_OUTSTANDING);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    Writer(MqttConnection connection) {
      this.connection = connection;
    }

    @Override
    public void write(Publication p, Context context) throws IOException, InterruptedException {
      rethrow();
      if (!outstanding.tryAcquire(60, TimeUnit.SECONDS)) {
        throw new IOException("the broker did not confirm published results within 60 s");
      }
      connection.publish(
          p.topic,
          p.payload,
          1,
          p.retained,
          error -> {
            if (error != null) {
              failure.compareAndSet(null, error);
            }
            outstanding.release();
          });
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
      if (!outstanding.tryAcquire(MAX_OUTSTANDING, 60, TimeUnit.SECONDS)) {
        throw new IOException("the broker did not confirm published results within 60 s");
      }
      outstanding.release(MAX_OUTSTANDING);
      rethrow();
    }

    private void rethrow() throws IOException {
      Throwable t = failure.get();
      if (t != null) {
        throw new IOException("publishing results failed: " + t.getMessage(), t);
      }
    }

    @Override
    public void close() {
      connection.close();
    }
  }
}
