package io.citybrain.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The structural rules a compose file of ours keeps, checked on its text and its parsed tree; each
 * broken rule is one line naming the service and what is wrong. There is no Docker engine here, so
 * these rules are what stands for `docker compose up`.
 */
final class ComposeRules {
  /** The services that run the stream job's submission and the API: both need the schema first. */
  static final List<String> SCHEMA_USERS = List.of("stream-job", "api");

  static final String MIGRATE = "migrate";
  static final String CHECKPOINT_VOLUME = "flink-checkpoints:/flink-checkpoints";
  static final String CHECKPOINT_DIR = "file:///flink-checkpoints";

  /** Conditions that wait for something real: health, or a one-shot service's exit 0. */
  private static final Set<String> WAITING =
      Set.of("service_healthy", "service_completed_successfully");

  /** `${VAR:-x}` and `${VAR-x}` run with a known value when VAR is unset. */
  private static final Pattern DEFAULTED = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*):?-");

  /** An environment key or flag that carries a secret. */
  private static final Pattern SECRET_NAME =
      Pattern.compile("(?i).*(password|secret|token|private_key|jwt).*");

  /** A value that is only a required variable: `${VAR:?message}` or `${VAR?message}`. */
  private static final Pattern REQUIRED_VARIABLE =
      Pattern.compile("\\$\\{[A-Za-z_][A-Za-z0-9_]*:?\\?[^}]*}");

  /** Any reference to a variable, `${VAR...`. */
  private static final Pattern REFERENCE =
      Pattern.compile("(?<!\\$)\\$\\{([A-Za-z_][A-Za-z0-9_]*)");

  /** `password=...` inside a URL: the value must come from a variable. */
  private static final Pattern URL_PASSWORD = Pattern.compile("password=([^&\\s\"']*)");

  private final String text;
  private final JsonNode services;
  private final Map<String, String> justifiedStarts;

  private ComposeRules(String text, JsonNode services, Map<String, String> justifiedStarts) {
    this.text = text;
    this.services = services;
    this.justifiedStarts = justifiedStarts;
  }

  /**
   * Rules for a compose file's text; {@code justifiedStarts} lists the "service->dependency" pairs
   * allowed to wait for a mere start, each with its reason.
   */
  static ComposeRules of(String text, Map<String, String> justifiedStarts) {
    try {
      JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(text);
      JsonNode services = root == null ? null : root.get("services");
      if (services == null || !services.isObject()) {
        throw new IllegalArgumentException("a compose file needs a services: mapping");
      }
      return new ComposeRules(text, services, justifiedStarts);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  JsonNode services() {
    return services;
  }

  /** Every broken rule; empty when the file keeps them all. */
  List<String> violations() {
    List<String> out = new ArrayList<>();
    out.addAll(imageOrBuild());
    out.addAll(dependenciesWait());
    out.addAll(noDefaultedSecret());
    out.addAll(portsOnLoopback());
    out.addAll(longRunningHaveHealthchecks());
    out.addAll(flinkKeepsRetainedRocksDbCheckpoints());
    out.addAll(schemaFirst());
    return out;
  }

  List<String> imageOrBuild() {
    List<String> out = new ArrayList<>();
    each(
        (name, s) -> {
          if (!s.hasNonNull("image") && !s.hasNonNull("build")) {
            out.add(name + ": neither image nor build");
          }
        });
    return out;
  }

  /**
   * Every dependency waits for health or completion, on a service that has a healthcheck or is
   * one-shot; a mere start only where justified.
   */
  List<String> dependenciesWait() {
    List<String> out = new ArrayList<>();
    each(
        (name, s) -> {
          JsonNode deps = s.path("depends_on");
          if (deps.isArray()) {
            deps.forEach(
                d -> out.add(name + ": depends_on " + d.asText() + " without a condition"));
            return;
          }
          deps.fields()
              .forEachRemaining(
                  d -> {
                    String on = d.getKey();
                    String condition = d.getValue().path("condition").asText("service_started");
                    JsonNode target = services.get(on);
                    if (target == null) {
                      out.add(name + ": depends_on " + on + ", which is no service");
                    } else if (!WAITING.contains(condition)) {
                      if (!justifiedStarts.containsKey(name + "->" + on)) {
                        out.add(name + ": depends_on " + on + " with " + condition);
                      }
                    } else if (condition.equals("service_healthy") && !hasHealthcheck(target)) {
                      out.add(
                          name + ": waits for " + on + " to be healthy, which has no healthcheck");
                    } else if (condition.equals("service_completed_successfully")
                        && !oneShot(target)) {
                      out.add(name + ": waits for " + on + " to complete, which is not one-shot");
                    }
                  });
        });
    return out;
  }

  /** No `${X:-...}`, no secret written into the file. */
  List<String> noDefaultedSecret() {
    List<String> out = new ArrayList<>();
    Matcher defaulted = DEFAULTED.matcher(text);
    while (defaulted.find()) {
      out.add("${" + defaulted.group(1) + "} has a default");
    }
    // A plain ${VAR} is empty when VAR is unset: some use of it must make it required.
    Matcher reference = REFERENCE.matcher(text);
    Set<String> reported = new java.util.TreeSet<>();
    while (reference.find()) {
      String variable = reference.group(1);
      if (!text.contains("${" + variable + ":?")
          && !text.contains("${" + variable + "?")
          && reported.add(variable)) {
        out.add("${" + variable + "} is never required (${" + variable + ":?message})");
      }
    }
    each(
        (name, s) -> {
          JsonNode env = s.path("environment");
          if (env.isArray()) {
            env.forEach(
                e -> {
                  String[] pair = e.asText().split("=", 2);
                  checkSecret(name, pair[0], pair.length > 1 ? pair[1] : "", out);
                });
          } else {
            env.fields()
                .forEachRemaining(e -> checkSecret(name, e.getKey(), e.getValue().asText(), out));
          }
          Matcher inUrl = URL_PASSWORD.matcher(command(s) + " " + env);
          while (inUrl.find()) {
            if (!inUrl.group(1).startsWith("${")) {
              out.add(name + ": a URL holds a literal password");
            }
          }
        });
    return out;
  }

  private static void checkSecret(String service, String key, String value, List<String> out) {
    // A file path is where a secret should come from (an owner-only file), not a secret.
    if (SECRET_NAME.matcher(key).matches()
        && !value.isEmpty()
        && !value.startsWith("/")
        && !REQUIRED_VARIABLE.matcher(value).matches()) {
      out.add(service + ": " + key + " is not a required variable (${VAR:?message})");
    }
  }

  List<String> portsOnLoopback() {
    List<String> out = new ArrayList<>();
    each(
        (name, s) ->
            s.path("ports")
                .forEach(
                    p -> {
                      String published =
                          p.isObject() ? p.path("host_ip").asText("") + ":" : p.asText();
                      if (!published.startsWith("127.0.0.1:")) {
                        out.add(name + ": port " + p + " is not bound to 127.0.0.1");
                      }
                    }));
    return out;
  }

  List<String> longRunningHaveHealthchecks() {
    List<String> out = new ArrayList<>();
    each(
        (name, s) -> {
          if (!oneShot(s) && !hasHealthcheck(s)) {
            out.add(name + ": runs on but has no healthcheck");
          }
        });
    return out;
  }

  /**
   * Every Flink service keeps RocksDB state and its checkpoints in the shared volume, and the
   * JobManager retains them on cancel and failure.
   */
  List<String> flinkKeepsRetainedRocksDbCheckpoints() {
    List<String> out = new ArrayList<>();
    boolean[] jobManager = {false};
    each(
        (name, s) -> {
          if (!s.path("image").asText().startsWith("flink:")) {
            return;
          }
          String properties = s.path("environment").path("FLINK_PROPERTIES").asText("");
          if (!properties.contains("state.backend.type: rocksdb")) {
            out.add(name + ": Flink without state.backend.type: rocksdb");
          }
          if (!properties.contains("execution.checkpointing.dir: " + CHECKPOINT_DIR)) {
            out.add(name + ": Flink without execution.checkpointing.dir: " + CHECKPOINT_DIR);
          }
          if (!volumes(s).contains(CHECKPOINT_VOLUME)) {
            out.add(name + ": Flink without the shared volume " + CHECKPOINT_VOLUME);
          }
          if (s.path("command").asText().equals("jobmanager")) {
            jobManager[0] = true;
            if (!properties.contains(
                "execution.checkpointing.externalized-checkpoint-retention: RETAIN_ON_CANCELLATION")) {
              out.add(name + ": checkpoints are not retained (RETAIN_ON_CANCELLATION)");
            }
          }
        });
    if (!jobManager[0]) {
      out.add("no Flink JobManager (image flink:*, command jobmanager)");
    }
    return out;
  }

  /** The stream job and the API start only after migrate exited 0. */
  List<String> schemaFirst() {
    List<String> out = new ArrayList<>();
    for (String user : SCHEMA_USERS) {
      JsonNode s = services.get(user);
      if (s == null) {
        out.add("no " + user + " service");
      } else if (!s.path("depends_on")
          .path(MIGRATE)
          .path("condition")
          .asText()
          .equals("service_completed_successfully")) {
        out.add(user + ": does not wait for " + MIGRATE + " to complete successfully");
      }
    }
    return out;
  }

  /** A service that runs once: never restarted, and exits when done. */
  static boolean oneShot(JsonNode service) {
    return service.path("restart").asText("").equals("no");
  }

  static boolean hasHealthcheck(JsonNode service) {
    JsonNode test = service.path("healthcheck").path("test");
    return !test.isMissingNode()
        && !service.path("healthcheck").path("disable").asBoolean(false)
        && !(test.isArray() && test.size() > 0 && test.get(0).asText().equals("NONE"));
  }

  static List<String> volumes(JsonNode service) {
    List<String> out = new ArrayList<>();
    service.path("volumes").forEach(v -> out.add(v.asText()));
    return out;
  }

  static String command(JsonNode service) {
    JsonNode c = service.path("command");
    if (c.isArray()) {
      List<String> parts = new ArrayList<>();
      c.forEach(p -> parts.add(p.asText()));
      return String.join(" ", parts);
    }
    return c.asText();
  }

  private void each(java.util.function.BiConsumer<String, JsonNode> check) {
    for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> s = it.next();
      check.accept(s.getKey(), s.getValue());
    }
  }
}
