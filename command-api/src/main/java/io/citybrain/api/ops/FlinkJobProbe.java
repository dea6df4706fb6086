package io.citybrain.api.ops;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The stream job's state as Flink's REST endpoint reports it ({@code GET /jobs/overview}): the
 * state of the job with the configured name, {@code ABSENT} when there is none, {@code UNREACHABLE}
 * when Flink does not answer.
 */
final class FlinkJobProbe {
  static final String ABSENT = "ABSENT";
  static final String UNREACHABLE = "UNREACHABLE";
  static final String RUNNING = "RUNNING";

  private final HttpClient http;
  private final String restUrl;
  private final String url;
  private final String jobName;

  FlinkJobProbe(Vertx vertx, String restUrl, String jobName) {
    this.http =
        vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(2_000).setIdleTimeout(10));
    this.restUrl = restUrl;
    this.url = restUrl + "/jobs/overview";
    this.jobName = jobName;
  }

  Future<String> state() {
    return get(url).map(this::stateOf).otherwise(UNREACHABLE);
  }

  /**
   * When the running job's latest checkpoint completed (epoch ms; its start when it has completed
   * none yet); fails when Flink does not answer or no job of that name runs.
   */
  Future<Long> lastCheckpointAt() {
    return get(url)
        .compose(
            overview -> {
              for (Object o : overview.getJsonArray("jobs", new JsonArray())) {
                JsonObject job = (JsonObject) o;
                if (jobName.equals(job.getString("name"))
                    && RUNNING.equals(job.getString("state"))) {
                  long started = job.getLong("start-time", 0L);
                  return get(restUrl + "/jobs/" + job.getString("jid") + "/checkpoints")
                      .map(checkpoints -> completedAt(checkpoints, started));
                }
              }
              return Future.failedFuture("no running job named " + jobName);
            });
  }

  private static long completedAt(JsonObject checkpoints, long started) {
    JsonObject latest = checkpoints.getJsonObject("latest");
    JsonObject completed = latest == null ? null : latest.getJsonObject("completed");
    return completed == null ? started : completed.getLong("latest_ack_timestamp", started);
  }

  private Future<JsonObject> get(String uri) {
    return http.request(
            new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(uri).setTimeout(3_000))
        .compose(req -> req.send())
        .compose(
            res ->
                res.statusCode() == 200
                    ? res.body()
                    : Future.failedFuture("Flink answered " + res.statusCode()))
        .map(body -> new JsonObject(body.toString()));
  }

  /** A running job of that name wins over its finished predecessors (a restart keeps both). */
  private String stateOf(JsonObject overview) {
    JsonArray jobs = overview.getJsonArray("jobs", new JsonArray());
    String found = ABSENT;
    for (Object o : jobs) {
      JsonObject job = (JsonObject) o;
      if (jobName.equals(job.getString("name"))) {
        String state = job.getString("state", ABSENT);
        if (RUNNING.equals(state)) {
          return RUNNING;
        }
        found = state;
      }
    }
    return found;
  }
}
