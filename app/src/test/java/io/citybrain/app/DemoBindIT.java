package io.citybrain.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.StringWriter;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The running demo listens on loopback only: the API, the broker, and the in-process Flink's REST
 * endpoint (which would cancel the job for anyone) and blob server, and says where it listens;
 * {@code /health} follows the job there. {@code --bind} widens it.
 */
@ExtendWith(CityServicesExtension.class)
class DemoBindIT {

  @Test
  @DisplayName("every socket the demo listens on is loopback, and it prints the ports it binds")
  void loopbackOnly(TestServices services) throws Exception {
    try (RunningDemo demo =
        RunningDemo.start(
            "--db-url", services.jdbcUrl(), "--mqtt-port", "0", "--api-port", "0", "--no-sim")) {
      StringWriter out = demo.out;

      int apiPort = port(out, "api +http://127\\.0\\.0\\.1:(\\d+)/api/v1");
      int mqttPort = port(out, "mqtt +tcp://127\\.0\\.0\\.1:(\\d+) ");
      int restPort = port(out, "Flink REST http://127\\.0\\.0\\.1:(\\d+)");
      int blobPort = port(out, "blob server port (\\d+), both on 127\\.0\\.0\\.1");
      assertThat(out.toString()).contains("listening on 127.0.0.1");

      List<InetSocketAddress> listening = ListeningSockets.ofThisProcess();
      assertThat(listening)
          .extracting(InetSocketAddress::getPort)
          .contains(apiPort, mqttPort, restPort, blobPort);
      assertThat(listening)
          .as("sockets of this JVM not on loopback")
          .allSatisfy(
              a -> assertThat(a.getAddress().isLoopbackAddress()).as(a.toString()).isTrue());

      Optional<InetAddress> outside = nonLoopbackAddress();
      for (int port : List.of(apiPort, mqttPort, restPort, blobPort)) {
        try (Socket local = new Socket("127.0.0.1", port)) {
          assertThat(local.isConnected()).isTrue();
        }
        if (outside.isPresent()) {
          assertThatThrownBy(() -> new Socket(outside.get(), port).close())
              .as("port %d on %s", port, outside.get())
              .isInstanceOf(IOException.class);
        }
      }

      // /health watches the job on its (loopback) REST endpoint: running, then cancelled there.
      HttpClient http = HttpClient.newHttpClient();
      String api = "http://127.0.0.1:" + apiPort;
      JsonObject running = new JsonObject(get(http, api + "/health").body());
      assertThat(running.getJsonObject("job").getString("state")).isEqualTo("RUNNING");
      assertThat(running.getJsonObject("job").getBoolean("ok")).isTrue();
      // The age of the job's last checkpoint, read from the same endpoint (checkpoints every 5 s,
      // the alert at 3 x 10 s); the embedded HiveMQ has no $SYS, so its backlog is unknown.
      JsonObject risk =
          Awaitility.await()
              .atMost(Duration.ofSeconds(60))
              .until(
                  () ->
                      new JsonObject(get(http, api + "/health").body())
                          .getJsonObject("at_least_once"),
                  r -> r.getJsonObject("checkpoint").getValue("age_s") instanceof Number);
      assertThat(risk.getJsonObject("checkpoint").getDouble("age_s")).isLessThan(30.0);
      assertThat(risk.getJsonObject("checkpoint").getBoolean("alert")).isFalse();
      assertThat(risk.getJsonObject("broker").getValue("queued")).isEqualTo("unknown");
      String rest = "http://127.0.0.1:" + restPort;
      String jid =
          new JsonObject(get(http, rest + "/jobs/overview").body())
              .getJsonArray("jobs")
              .getJsonObject(0)
              .getString("jid");
      http.send(
          HttpRequest.newBuilder(URI.create(rest + "/jobs/" + jid + "?mode=cancel"))
              .method("PATCH", HttpRequest.BodyPublishers.noBody())
              .build(),
          HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> gone =
          Awaitility.await()
              .atMost(Duration.ofSeconds(30))
              .until(
                  () -> get(http, api + "/health"),
                  r -> !new JsonObject(r.body()).getJsonObject("job").getBoolean("ok"));
      assertThat(gone.statusCode()).isEqualTo(503);
      assertThat(new JsonObject(gone.body()).getString("status")).isEqualTo("degraded");
      assertThat(new JsonObject(gone.body()).getJsonObject("job").getString("state"))
          .isIn("CANCELLING", "CANCELED");
      // A job that stopped keeps its last checkpoint: the age stays known and grows on.
      assertThat(
              new JsonObject(gone.body())
                  .getJsonObject("at_least_once")
                  .getJsonObject("checkpoint")
                  .getValue("age_s"))
          .isInstanceOf(Number.class);
    }
  }

  @Test
  @DisplayName("--bind 0.0.0.0 widens the API and the broker to every interface, and says so")
  void bindWidens(TestServices services) throws Exception {
    try (RunningDemo demo =
        RunningDemo.start(
            "--db-url",
            services.jdbcUrl(),
            "--mqtt-port",
            "0",
            "--api-port",
            "0",
            "--no-sim",
            "--no-stream-job",
            "--bind",
            "0.0.0.0")) {
      StringWriter out = demo.out;
      StringWriter err = demo.err;
      assertThat(out.toString()).as(err.toString()).contains("listening on 0.0.0.0");
      int apiPort = port(out, "api +http://127\\.0\\.0\\.1:(\\d+)/api/v1");
      int mqttPort = port(out, "mqtt +tcp://127\\.0\\.0\\.1:(\\d+) ");
      assertThat(ListeningSockets.ofThisProcess())
          .filteredOn(a -> a.getPort() == apiPort || a.getPort() == mqttPort)
          .hasSize(2)
          .allSatisfy(
              a -> assertThat(a.getAddress().isAnyLocalAddress()).as(a.toString()).isTrue());
    }
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static int port(StringWriter out, String regex) {
    Matcher m = Pattern.compile(regex).matcher(out.toString());
    assertThat(m.find()).as("'%s' in%n%s", regex, out).isTrue();
    return Integer.parseInt(m.group(1));
  }

  /** An address of this machine that other machines could reach, when it has one. */
  private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (nic.isUp() && !nic.isLoopback()) {
        for (InetAddress a : Collections.list(nic.getInetAddresses())) {
          if (a instanceof Inet4Address) {
            return Optional.of(a);
          }
        }
      }
    }
    return Optional.empty();
  }
}
