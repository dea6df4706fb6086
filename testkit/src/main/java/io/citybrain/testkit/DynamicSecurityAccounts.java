package io.citybrain.testkit;

import io.citybrain.access.BrokerLogin;
import io.citybrain.access.DynamicSecurityFile;
import io.citybrain.access.Installation;
import io.citybrain.access.Principal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * Creates gateways and devices on demand on a Mosquitto with the dynamic-security plugin, through
 * its control API as the broker's administrator: a role with the principal's rights, then its
 * client. Remembers what exists (the services are in the provisioned file already).
 */
final class DynamicSecurityAccounts implements BrokerAccounts {
  static final String CONTROL = "$CONTROL/dynamic-security/v1";
  private static final Pattern ERROR = Pattern.compile("\"error\":\\s*\"([^\"]*)\"");
  private static final Pattern CORRELATION =
      Pattern.compile("\"correlationData\":\\s*\"([^\"]+)\"");

  private final String url;
  private final Installation installation;
  private final Set<String> known = new HashSet<>();
  private final Map<String, CompletableFuture<String>> waiting = new ConcurrentHashMap<>();
  private MqttClient admin;

  /** The broker's plain URL: the administrator's control connection needs no TLS in tests. */
  DynamicSecurityAccounts(String url, Installation installation) {
    this.url = url;
    this.installation = installation;
  }

  @Override
  public synchronized void admit(Principal p) {
    if (p.kind().service() || known.contains(p.name())) {
      return;
    }
    String rolename = p.name();
    String createRole =
        "{\"command\": \"createRole\", \"rolename\": "
            + DynamicSecurityFile.quote(rolename)
            + ", \"acls\": "
            + DynamicSecurityFile.aclsJson(DynamicSecurityFile.acls(p));
    String createClient =
        "{\"command\": \"createClient\", \"username\": "
            + DynamicSecurityFile.quote(p.name())
            + ", \"password\": "
            + DynamicSecurityFile.quote(installation.password(p))
            + ", \"textname\": "
            + DynamicSecurityFile.quote(p.toString())
            + ", \"roles\": [{\"rolename\": "
            + DynamicSecurityFile.quote(rolename)
            + "}]";
    // An earlier run on the same broker (CI's) may have made them: "already exists" is success.
    // One message for both: the plugin rewrites its whole file after each change, and a round trip
    // per command would double the wait on a broker provisioned with a whole city.
    List<String> answers = commands(List.of(createRole, createClient));
    expectOk(answers.get(0), "createRole " + rolename, "Role already exists");
    expectOk(answers.get(1), "createClient " + p.name(), "Client already exists");
    known.add(p.name());
  }

  private static void expectOk(String response, String what, String alsoFine) {
    Matcher m = ERROR.matcher(response);
    if (m.find() && !m.group(1).equals(alsoFine)) {
      throw new IllegalStateException(
          "the broker's dynamic-security plugin refused " + what + ": " + m.group(1));
    }
  }

  /** Sends commands (JSON objects, not yet closed) in one message and waits for each response. */
  private List<String> commands(List<String> opens) {
    List<String> ids = new ArrayList<>();
    List<CompletableFuture<String>> answers = new ArrayList<>();
    StringBuilder body = new StringBuilder("{\"commands\": [");
    for (String open : opens) {
      String id = UUID.randomUUID().toString();
      CompletableFuture<String> answer = new CompletableFuture<>();
      waiting.put(id, answer);
      ids.add(id);
      answers.add(answer);
      body.append(ids.size() == 1 ? "" : ", ")
          .append(open)
          .append(", \"correlationData\": \"")
          .append(id)
          .append("\"}");
    }
    body.append("]}");
    try {
      connection().publish(CONTROL, body.toString().getBytes(StandardCharsets.UTF_8), 1, false);
      List<String> out = new ArrayList<>();
      for (CompletableFuture<String> answer : answers) {
        out.add(answer.get(30, TimeUnit.SECONDS));
      }
      return out;
    } catch (MqttException e) {
      throw new IllegalStateException(
          "cannot reach the dynamic-security control API on " + url + ": " + e.getMessage(), e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "the dynamic-security plugin on " + url + " did not answer within 30 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for the broker", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } finally {
      ids.forEach(waiting::remove);
    }
  }

  private MqttClient connection() throws MqttException {
    if (admin != null && admin.isConnected()) {
      return admin;
    }
    BrokerLogin login = BrokerLogin.of(installation, Principal.brokerAdmin());
    MqttClient client =
        new MqttClient(url, "cbt-dynsec-" + UUID.randomUUID(), new MemoryPersistence());
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setUserName(login.username());
    options.setPassword(login.password().getBytes(StandardCharsets.UTF_8));
    options.setCleanStart(true);
    // A callback, not a per-subscription listener: Paho 1.2.5's listener subscribe recurses.
    client.setCallback(
        new MqttCallback() {
          @Override
          public void messageArrived(String topic, MqttMessage message) {
            answered(new String(message.getPayload(), StandardCharsets.UTF_8));
          }

          @Override
          public void disconnected(MqttDisconnectResponse response) {}

          @Override
          public void mqttErrorOccurred(MqttException exception) {}

          @Override
          public void deliveryComplete(IMqttToken token) {}

          @Override
          public void connectComplete(boolean reconnect, String serverURI) {}

          @Override
          public void authPacketArrived(int reasonCode, MqttProperties properties) {}
        });
    client.connect(options);
    client.subscribe(new MqttSubscription[] {new MqttSubscription(CONTROL + "/response", 1)});
    admin = client;
    return client;
  }

  /** One response message may answer several commands; each carries our correlation id. */
  private void answered(String json) {
    for (String part : json.split("\\}\\s*,\\s*\\{")) {
      Matcher c = CORRELATION.matcher(part);
      if (c.find()) {
        CompletableFuture<String> f = waiting.get(c.group(1));
        if (f != null) {
          f.complete(part);
        }
      }
    }
  }

  @Override
  public synchronized void close() {
    if (admin != null) {
      try {
        if (admin.isConnected()) {
          admin.disconnect();
        }
        admin.close();
      } catch (MqttException e) {
        // Closing at the end of a test run: nothing to do about it.
      }
      admin = null;
    }
  }
}
