package io.citybrain.simulators.work;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The city's simulated people at work through the command API, as the wall sees them: grid workers
 * and departments carry cases and tasks to done, the operators on duty acknowledge and resolve
 * alerts, the duty coordinator runs incidents from open to closed. Each item is decided once per
 * situation (the same way every time, from its id and the seed), then acted on after the model's
 * delay; what another person moved first (409) is dropped and seen again where it now is.
 */
public final class GridWorkers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GridWorkers.class);

  /** How often new work is looked for, and how often the waiting lists are swept. */
  private static final Duration ARRIVALS_EVERY = Duration.ofMillis(500);

  private static final Duration SWEEP_EVERY = Duration.ofSeconds(30);

  /** A step the API could not take (down, overloaded) is tried again after this. */
  private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

  private final List<Desk> desks;
  private final long seed;
  private final ScheduledExecutorService polls =
      Executors.newSingleThreadScheduledExecutor(r -> thread(r, "citybrain-workers-poll"));
  private final ScheduledExecutorService hands;
  private final Map<String, Plan> plans = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> moves = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> pending = new ConcurrentHashMap<>();
  private final AtomicLong conflicts = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private long lastSweep = Long.MIN_VALUE;

  /**
   * What was decided for an item: in which situation, when (nanoTime), and how many decisions were
   * made for it before (a case resolved a second time draws anew).
   */
  private record Plan(String situation, long decidedAt, int round) {}

  private GridWorkers(List<Desk> desks, long seed, int hands) {
    this.desks = List.copyOf(desks);
    this.seed = seed;
    this.hands = Executors.newScheduledThreadPool(hands, r -> thread(r, "citybrain-workers-hand"));
  }

  /**
   * Starts the people of every desk: {@code worker} (an operator) works cases, tasks and alerts,
   * {@code coordinator} (null: nobody) runs incidents.
   */
  public static GridWorkers start(
      String apiUrl,
      Credentials worker,
      Credentials coordinator,
      HandlingModel model,
      long seed,
      int hands) {
    WorkApi workerApi = new WorkApi(apiUrl, worker.username(), worker.password());
    List<Desk> desks = new ArrayList<>();
    desks.add(new CaseDesk(workerApi, model));
    desks.add(new TaskDesk(workerApi, model));
    desks.add(new AlertDesk(workerApi, model));
    if (coordinator != null) {
      desks.add(
          new IncidentDesk(
              new WorkApi(apiUrl, coordinator.username(), coordinator.password()), model));
    }
    GridWorkers workers = new GridWorkers(desks, seed, hands);
    workers.polls.scheduleWithFixedDelay(
        workers::poll, 0, ARRIVALS_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    return workers;
  }

  /** A user the simulated people sign in as. */
  public record Credentials(String username, String password) {}

  /** The moves made so far, by kind and step (e.g. {@code case pickup}), and the misses. */
  public Map<String, Long> moves() {
    Map<String, Long> out = new TreeMap<>();
    moves.forEach((k, v) -> out.put(k, v.get()));
    out.put("conflicts", conflicts.get());
    out.put("errors", errors.get());
    return out;
  }

  /** Steps of a kind decided and not yet taken (waiting for their delay or their check). */
  public long pending(String kind) {
    AtomicLong n = pending.get(kind);
    return n == null ? 0 : n.get();
  }

  private AtomicLong pendingOf(Desk desk) {
    return pending.computeIfAbsent(desk.kind(), k -> new AtomicLong());
  }

  private void poll() {
    long started = System.nanoTime();
    boolean sweep = lastSweep == Long.MIN_VALUE || started - lastSweep >= SWEEP_EVERY.toNanos();
    for (Desk desk : desks) {
      List<String> lists = new ArrayList<>(desk.arrivals());
      if (sweep) {
        lists.addAll(desk.waiting());
      }
      for (String list : lists) {
        try {
          WorkApi.Reply reply = desk.api().get(list);
          if (!reply.ok()) {
            errors.incrementAndGet();
            LOG.debug("{} answered {} {}", list, reply.status(), reply.body());
            continue;
          }
          for (JsonNode item : reply.body().path("items")) {
            try {
              consider(desk, item, started);
            } catch (RuntimeException e) {
              // One item the desk cannot read (a field missing) must not hide the rest of the list.
              errors.incrementAndGet();
              LOG.debug(
                  "cannot decide on {} from {}: {}", item.path(desk.idField()), list, e.toString());
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } catch (Exception e) {
          errors.incrementAndGet();
          LOG.debug("cannot read {}: {}", list, e.toString());
        }
      }
    }
    if (sweep) {
      lastSweep = started;
    }
  }

  /**
   * Decides what to do with an item seen at {@code seenAt} (nanoTime), unless it was decided for
   * this situation already or after the item was read.
   */
  private void consider(Desk desk, JsonNode item, long seenAt) {
    String id = Desk.text(item, desk.idField());
    String key = desk.kind() + ":" + id;
    String situation = desk.situation(item);
    Plan[] made = new Plan[1];
    plans.compute(
        key,
        (k, old) -> {
          if (old != null && (old.situation().equals(situation) || old.decidedAt() > seenAt)) {
            return old;
          }
          made[0] = new Plan(situation, System.nanoTime(), old == null ? 0 : old.round() + 1);
          return made[0];
        });
    if (made[0] == null) {
      return;
    }
    // Reproducible: the same seed makes the same decisions for the same items.
    SplittableRandom draws =
        new SplittableRandom(seed ^ (key + "/" + situation + "/" + made[0].round()).hashCode());
    desk.next(item, draws)
        .ifPresentOrElse(
            action -> {
              pendingOf(desk).incrementAndGet();
              schedule(desk, key, id, action, action.delay());
            },
            () -> {
              // Finished: forgotten. Left alone (a case its department cannot rectify): kept, so
              // that a sweep seeing it again does not decide again.
              if (desk.finished(situation)) {
                plans.remove(key, made[0]);
              }
            });
  }

  private void schedule(Desk desk, String key, String id, Desk.Action action, Duration delay) {
    hands.schedule(() -> act(desk, key, id, action), delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void act(Desk desk, String key, String id, Desk.Action action) {
    if (attempt(desk, key, id, action)) {
      pendingOf(desk).decrementAndGet();
    }
  }

  /** Takes the step; false when it was scheduled again (not yet, or to be retried). */
  private boolean attempt(Desk desk, String key, String id, Desk.Action action) {
    try {
      if (action.check() != null) {
        WorkApi.Reply now = desk.api().get(action.check().path());
        if (!now.ok() || !action.check().holds().test(now.body())) {
          if (now.status() == 404) {
            plans.remove(key);
            return true;
          }
          // Not yet: looked at again after the step's own delay.
          schedule(desk, key, id, action, action.delay());
          return false;
        }
      }
      long sent = System.nanoTime();
      WorkApi.Reply reply = desk.api().post(action.path(), action.body());
      if (reply.ok()) {
        moves
            .computeIfAbsent(desk.kind() + " " + action.label(), k -> new AtomicLong())
            .incrementAndGet();
        JsonNode item =
            action.replyIsItem() ? reply.body() : desk.api().get(desk.itemPath(id)).body();
        consider(desk, item, sent);
        return true;
      } else if (reply.status() / 100 == 4 && reply.status() != 429) {
        // Someone else moved it first, or it went away: seen again where it is now.
        conflicts.incrementAndGet();
        plans.remove(key);
        LOG.debug("{} {}: {} {}", key, action.label(), reply.status(), reply.body());
        return true;
      }
      // Overloaded, refused for now, or failing: the same step again later.
      errors.incrementAndGet();
      LOG.debug("{} {}: {} {}", key, action.label(), reply.status(), reply.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    } catch (Exception e) {
      errors.incrementAndGet();
      LOG.debug("{} {}: {}", key, action.label(), e.toString());
    }
    schedule(desk, key, id, action, RETRY_AFTER);
    return false;
  }

  @Override
  public void close() {
    polls.shutdownNow();
    hands.shutdownNow();
    try {
      polls.awaitTermination(10, TimeUnit.SECONDS);
      hands.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Thread thread(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
