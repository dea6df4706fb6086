package io.citybrain.api.notify;

import io.citybrain.api.db.Db;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.codec.BodyCodec;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends webhooks: every {@code poll} it fans new events out, claims the due deliveries and POSTs
 * each, signed, to its subscription's URL (checked again, connected to by the address checked,
 * redirects never followed), then records the outcome. Runs on every API process: the database
 * claim keeps two from sending one delivery at once. A receiver should dedupe by {@code
 * X-CityBrain-Delivery}: an attempt whose outcome was lost with its process is sent again.
 */
public final class WebhookSender {
  /** Deliveries sent at once per round. */
  static final int BATCH = 16;

  private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);
  private static final int MAX_ERROR = 500;

  private final Vertx vertx;
  private final Db db;
  private final WebhookSettings settings;
  private final UrlPolicy policy;
  private final Deliveries deliveries;
  private final Clock clock;
  private final WebClient client;
  private long timer = -1;
  private boolean stopped;

  public WebhookSender(Vertx vertx, Db db, WebhookSettings settings, Clock clock) {
    this.vertx = vertx;
    this.db = db;
    this.settings = settings;
    this.policy = new UrlPolicy(settings);
    this.deliveries = new Deliveries(settings);
    this.clock = clock;
    this.client =
        WebClient.create(
            vertx,
            new WebClientOptions()
                .setFollowRedirects(false)
                .setKeepAlive(false)
                .setUserAgent("CityBrain-Webhooks/1")
                .setConnectTimeout((int) Math.min(settings.timeout().toMillis(), 5_000)));
  }

  /** Starts the rounds (call on the context that should own the timer). */
  public void start() {
    schedule(settings.poll().toMillis());
  }

  private void schedule(long delayMs) {
    if (!stopped) {
      timer = vertx.setTimer(Math.max(1, delayMs), t -> round());
    }
  }

  /** Fan-out, claim, send; the next round at once while there is more, else after the poll. */
  private void round() {
    db.transaction(
            c -> {
              deliveries.expire(c);
              return deliveries.fanOut(c);
            })
        .compose(
            fanned ->
                db.transaction(c -> deliveries.claim(c, BATCH))
                    .compose(
                        claimed ->
                            Future.join(claimed.stream().map(this::attempt).toList())
                                .map(
                                    v ->
                                        fanned >= Deliveries.FAN_OUT_BATCH
                                            || claimed.size() >= BATCH)))
        .onComplete(
            more -> {
              if (more.failed()) {
                LOG.warn("webhooks: round failed, next in {}: {}", settings.poll(), more.cause());
              }
              schedule(more.succeeded() && more.result() ? 1 : settings.poll().toMillis());
            });
  }

  /** One attempt of one delivery, its outcome recorded; never fails. */
  private Future<Deliveries.Outcome> attempt(Deliveries.Claimed d) {
    long start = System.nanoTime();
    URI uri = URI.create(d.url());
    return vertx
        .executeBlocking(() -> policy.target(uri), false)
        .compose(address -> send(uri, address, d))
        .map(
            response -> {
              int status = response.statusCode();
              boolean ok = status >= 200 && status < 300;
              String error =
                  ok
                      ? null
                      : status >= 300 && status < 400
                          ? "answered " + status + " (redirects are not followed)"
                          : "answered " + status;
              return new Deliveries.Outcome(ok, status, error, elapsedMs(start));
            })
        .otherwise(e -> new Deliveries.Outcome(false, null, describe(e), elapsedMs(start)))
        .compose(
            outcome ->
                db.transaction(
                        c -> {
                          deliveries.record(c, d, outcome);
                          return outcome;
                        })
                    .onComplete(ar -> log(d, outcome, ar.cause())))
        .otherwise(e -> null);
  }

  private Future<HttpResponse<Void>> send(URI uri, InetAddress address, Deliveries.Claimed d) {
    boolean https = "https".equalsIgnoreCase(uri.getScheme());
    int port = uri.getPort() != -1 ? uri.getPort() : https ? 443 : 80;
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      path += "?" + uri.getRawQuery();
    }
    byte[] body = d.body().getBytes(StandardCharsets.UTF_8);
    long timestamp = clock.instant().getEpochSecond();
    return client
        .request(
            HttpMethod.POST,
            SocketAddress.inetSocketAddress(port, address.getHostAddress()),
            port,
            uri.getHost(),
            path)
        .ssl(https)
        .followRedirects(false)
        .timeout(settings.timeout().toMillis())
        .putHeader("content-type", "application/json")
        .putHeader("X-CityBrain-Event", d.type())
        .putHeader("X-CityBrain-Event-Id", Long.toString(d.eventId()))
        .putHeader("X-CityBrain-Delivery", Long.toString(d.id()))
        .putHeader("X-CityBrain-Attempt", Integer.toString(d.attempt()))
        .putHeader("X-CityBrain-Timestamp", Long.toString(timestamp))
        .putHeader("X-CityBrain-Signature", WebhookSignature.sign(d.secret(), timestamp, body))
        .as(BodyCodec.none())
        .sendBuffer(Buffer.buffer(body))
        // The request's timeout counts silence; this bounds the whole attempt.
        .timeout(settings.timeout().toMillis() + 1_000, TimeUnit.MILLISECONDS);
  }

  private void log(Deliveries.Claimed d, Deliveries.Outcome outcome, Throwable notRecorded) {
    if (notRecorded != null) {
      LOG.warn(
          "webhook delivery {} ({}): the outcome of attempt {} was not recorded, it will be"
              + " retried: {}",
          d.id(),
          d.type(),
          d.attempt(),
          notRecorded.toString());
    } else if (outcome.delivered()) {
      LOG.debug("webhook delivery {} ({}) delivered at attempt {}", d.id(), d.type(), d.attempt());
    } else if (d.attempt() >= settings.maxAttempts()) {
      LOG.warn(
          "webhook delivery {} ({}) failed after {} attempts: {}",
          d.id(),
          d.type(),
          d.attempt(),
          outcome.error());
    } else {
      LOG.info(
          "webhook delivery {} ({}) attempt {} of {} failed, next in {}: {}",
          d.id(),
          d.type(),
          d.attempt(),
          settings.maxAttempts(),
          settings.delayAfter(d.attempt()),
          outcome.error());
    }
  }

  private static String describe(Throwable e) {
    String text =
        e instanceof UrlPolicy.Refused
            ? "refused: " + e.getMessage()
            : e.getClass().getSimpleName() + ": " + e.getMessage();
    return text.length() > MAX_ERROR ? text.substring(0, MAX_ERROR) : text;
  }

  private static long elapsedMs(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  /** Stops the rounds; an attempt in flight still records its outcome if the database is up. */
  public void stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    client.close();
  }
}
