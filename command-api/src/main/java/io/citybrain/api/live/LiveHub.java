package io.citybrain.api.live;

import io.citybrain.api.http.Caller;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket clients, their district subscriptions, and the latest snapshot of every district
 * (what a client gets when it subscribes, and what the read side shows). Everything runs on the
 * API's event loop: producers on other threads hand their events over with {@code runOnContext}.
 * Each client has a {@link ClientQueue}; frames leave it only while the socket's write queue
 * (bounded by {@code setWriteQueueMaxSize}) has room, and the drain handler resumes.
 */
public final class LiveHub {
  private static final Logger LOG = LoggerFactory.getLogger(LiveHub.class);
  private final int queueLimit;
  private final int writeQueueBytes;
  private final Set<String> knownDistricts;
  private final Map<String, JsonObject> latest = new HashMap<>();
  private final Map<ServerWebSocket, Client> clients = new HashMap<>();
  private long framesSent;
  private long dropped;
  private long conflated;
  private int highWaterFrames;
  private long highWaterChars;

  public LiveHub(int queueLimit, int writeQueueBytes, Set<String> knownDistricts) {
    this.queueLimit = queueLimit;
    this.writeQueueBytes = writeQueueBytes;
    this.knownDistricts = Set.copyOf(knownDistricts);
  }

  /** The latest snapshot of a district seen on its live topic since start, or null. */
  public JsonObject latest(String district) {
    return latest.get(district);
  }

  /** How many sockets the user holds now. */
  public int connections(String user) {
    return (int) clients.values().stream().filter(c -> c.caller.name().equals(user)).count();
  }

  /**
   * Closes every socket of the user with the code and reason (its tokens were revoked); how many
   * were open.
   */
  public int closeUser(String user, short code, String reason) {
    int closed = 0;
    for (Client client : List.copyOf(clients.values())) {
      if (client.caller.name().equals(user) && !client.ws.isClosed()) {
        // No frame after the close: the queue stops here, the close handler removes the client.
        client.closed = true;
        client.ws.close(code, reason);
        closed++;
      }
    }
    return closed;
  }

  /** Takes an accepted socket of an authenticated caller; {@code onClose} runs when it closes. */
  public void add(ServerWebSocket ws, Caller caller, Runnable onClose) {
    ws.setWriteQueueMaxSize(writeQueueBytes);
    Client client = new Client(ws, caller, new ClientQueue(queueLimit));
    clients.put(ws, client);
    ws.textMessageHandler(text -> command(client, text));
    ws.binaryMessageHandler(
        bytes -> error(client, "message", "must be a text frame with a JSON object"));
    ws.closeHandler(
        v -> {
          remove(client);
          onClose.run();
        });
    ws.exceptionHandler(
        e -> LOG.debug("live socket of {} failed: {}", caller.name(), e.toString()));
    ws.drainHandler(v -> pump(client));
    send(
        client,
        new JsonObject()
            .put("type", "hello")
            .put("user", caller.name())
            .put(
                "districts",
                new JsonArray(knownDistricts.stream().filter(caller::covers).sorted().toList())));
  }

  /** A new snapshot: kept as the district's latest, conflated per client to the latest. */
  public void snapshot(String district, JsonObject snapshot) {
    latest.put(district, snapshot);
    String frame =
        new JsonObject()
            .put("type", "snapshot")
            .put("district", district)
            .put("data", snapshot)
            .encode();
    for (Client client : clients.values()) {
      if (client.districts.contains(district)) {
        client.queue.offerSnapshot(district, frame);
        pump(client);
      }
    }
  }

  /** The district has no live picture any more (its retained topic was cleared). */
  public void cleared(String district) {
    latest.remove(district);
  }

  /**
   * An event of a type (alert, incident, command_progress, run_progress, case) for a district's
   * subscribers.
   */
  public void event(String district, String type, JsonObject data) {
    String frame =
        new JsonObject().put("type", type).put("district", district).put("data", data).encode();
    for (Client client : clients.values()) {
      if (client.districts.contains(district)) {
        client.queue.offerEvent(frame);
        pump(client);
      }
    }
  }

  /**
   * A client's message: {@code {"subscribe":[codes], "unsubscribe":[codes]}}. Anything else is
   * answered with an error frame naming the field; nothing a client sends reaches the log as a
   * stack trace.
   */
  private void command(Client client, String text) {
    JsonObject message;
    try {
      message = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      error(client, "message", "must be a JSON object such as {\"subscribe\":[\"DP\"]}");
      return;
    }
    for (String field : message.fieldNames()) {
      if (!field.equals("subscribe") && !field.equals("unsubscribe")) {
        // The name is the client's: echoed only when short.
        error(
            client,
            field.length() <= 32 ? field : "message",
            "unknown field; a message has subscribe and unsubscribe only");
        return;
      }
    }
    JsonArray subscribe = codes(client, message, "subscribe");
    JsonArray unsubscribe = codes(client, message, "unsubscribe");
    if (subscribe == null || unsubscribe == null) {
      return;
    }
    Set<String> added = new LinkedHashSet<>();
    for (Object item : subscribe) {
      String district = (String) item;
      if (!knownDistricts.contains(district)) {
        error(client, "subscribe", "unknown district '" + district + "'");
        return;
      }
      if (!client.caller.covers(district)) {
        error(client, "subscribe", "district " + district + " is outside the caller's scope");
        return;
      }
      added.add(district);
    }
    unsubscribe.forEach(
        d -> {
          client.districts.remove((String) d);
          client.queue.dropSnapshot((String) d);
        });
    client.districts.addAll(added);
    send(
        client,
        new JsonObject()
            .put("type", "subscribed")
            .put("districts", new JsonArray(client.districts.stream().sorted().toList())));
    for (String district : added) {
      JsonObject snapshot = latest.get(district);
      if (snapshot != null) {
        client.queue.offerSnapshot(
            district,
            new JsonObject()
                .put("type", "snapshot")
                .put("district", district)
                .put("data", snapshot)
                .encode());
      }
    }
    pump(client);
  }

  /** The field's district codes, an empty array when absent; null after an error frame. */
  private JsonArray codes(Client client, JsonObject message, String field) {
    Object value = message.getValue(field);
    if (value == null) {
      return new JsonArray();
    }
    if (!(value instanceof JsonArray codes)
        || codes.size() > knownDistricts.size()
        || !codes.stream().allMatch(c -> c instanceof String s && s.length() <= 16)) {
      error(
          client,
          field,
          "must be an array of at most " + knownDistricts.size() + " district codes (strings)");
      return null;
    }
    return codes;
  }

  private void error(Client client, String field, String reason) {
    send(client, new JsonObject().put("type", "error").put("field", field).put("reason", reason));
  }

  private void send(Client client, JsonObject control) {
    client.queue.offerEvent(control.encode());
    pump(client);
  }

  private void pump(Client client) {
    ClientQueue queue = client.queue;
    highWaterFrames = Math.max(highWaterFrames, queue.size());
    highWaterChars = Math.max(highWaterChars, queue.chars());
    while (!client.closed && !client.ws.writeQueueFull()) {
      String frame = queue.poll();
      if (frame == null) {
        return;
      }
      framesSent++;
      client.ws.writeTextMessage(frame);
    }
  }

  private void remove(Client client) {
    client.closed = true;
    clients.remove(client.ws);
    dropped += client.queue.dropped();
    conflated += client.queue.conflated();
  }

  /** Counters for metrics and tests; call on the event loop. */
  public LiveStats stats() {
    long droppedNow = dropped;
    long conflatedNow = conflated;
    for (Client c : clients.values()) {
      droppedNow += c.queue.dropped();
      conflatedNow += c.queue.conflated();
    }
    return new LiveStats(
        clients.size(), framesSent, droppedNow, conflatedNow, highWaterFrames, highWaterChars);
  }

  /**
   * What the hub has done: clients now, frames sent, events dropped, snapshots conflated, the
   * largest queue seen.
   */
  public record LiveStats(
      int clients,
      long framesSent,
      long dropped,
      long conflated,
      int highWaterFrames,
      long highWaterChars) {}

  private static final class Client {
    final ServerWebSocket ws;
    final Caller caller;
    final ClientQueue queue;
    final Set<String> districts = new LinkedHashSet<>();
    boolean closed;

    Client(ServerWebSocket ws, Caller caller, ClientQueue queue) {
      this.ws = ws;
      this.caller = caller;
      this.queue = queue;
    }
  }
}
