package io.citybrain.api.response;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.api.response.DispatchEffect.CancelTimer;
import io.citybrain.api.response.DispatchEffect.CommandProgress;
import io.citybrain.api.response.DispatchEffect.CountStaleAck;
import io.citybrain.api.response.DispatchEffect.CountStaleAck.Why;
import io.citybrain.api.response.DispatchEffect.FinishRun;
import io.citybrain.api.response.DispatchEffect.InsertCancel;
import io.citybrain.api.response.DispatchEffect.MarkRun;
import io.citybrain.api.response.DispatchEffect.Publish;
import io.citybrain.api.response.DispatchEffect.RecordCommand;
import io.citybrain.api.response.DispatchEffect.RunProgress;
import io.citybrain.api.response.DispatchEffect.ScheduleAckTimeout;
import io.citybrain.api.response.DispatchEffect.ScheduleRetry;
import io.citybrain.api.response.DispatchEvent.Ack;
import io.citybrain.api.response.DispatchEvent.AckTimeout;
import io.citybrain.api.response.DispatchEvent.CancelRequested;
import io.citybrain.api.response.DispatchEvent.PublishFailed;
import io.citybrain.api.response.DispatchEvent.Published;
import io.citybrain.api.response.DispatchEvent.RetryDue;
import io.citybrain.api.response.DispatchEvent.Start;
import io.citybrain.proto.CommandState;
import io.citybrain.proto.RunState;
import io.citybrain.proto.Topics;
import io.citybrain.proto.v1.AckStatus;
import io.citybrain.proto.v1.Command;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The dispatch state machine, event by event: no broker, no database, no clock. */
class DispatchMachineTest {
  private static final String RUN = "run-1";
  private static final String DISTRICT = "DP";
  private static final long T0 = 1_700_000_000_000L;
  private static final long TTL_MS = 300_000;
  private static final long ACK_TIMEOUT_MS = 5_000;
  private static final int MAX_ATTEMPTS = 3;
  private static final DispatchMachine MACHINE =
      new DispatchMachine(
          Duration.ofMillis(ACK_TIMEOUT_MS),
          MAX_ATTEMPTS,
          new Backoff(Duration.ofMillis(200), Duration.ofMillis(300)));

  private static Instant at(long ms) {
    return Instant.ofEpochMilli(T0 + ms);
  }

  private static String id(int target) {
    return RUN + "-c" + target;
  }

  private static String device(int target) {
    return "DP-BAR-" + target;
  }

  private static RunPlan plan(int targets) {
    List<RunPlan.Item> items = new ArrayList<>();
    for (int i = 1; i <= targets; i++) {
      items.add(new RunPlan.Item(id(i), device(i), "close", Map.of("level", "high")));
    }
    return new RunPlan(RUN, "flood_response", DISTRICT, T0, T0 + TTL_MS, items);
  }

  /** A run fed event by event; each call answers the effects of that event. */
  private static final class Run {
    TrackedRun state;

    Run(int targets) {
      state = TrackedRun.of(plan(targets));
    }

    List<DispatchEffect> on(DispatchEvent event) {
      DispatchMachine.Step step = MACHINE.transition(state, event);
      state = step.run();
      return step.effects();
    }

    List<DispatchEffect> start() {
      return on(new Start(at(0)));
    }

    /** An ack on the ack topic of the device the wire id was sent to. */
    List<DispatchEffect> ack(String wireId, AckStatus status, long ms) {
      String commandId = state.wireIds().get(wireId);
      String device = commandId == null ? device(1) : state.command(commandId).item().deviceId();
      return on(new Ack(Topics.ack(DISTRICT, device), wireId, status, "d", at(ms)));
    }

    List<DispatchEffect> timeout(String wireId, long ms) {
      return on(new AckTimeout(wireId, at(ms)));
    }

    List<DispatchEffect> retry(int target, int attempt, long ms) {
      return on(new RetryDue(id(target), attempt, at(ms)));
    }

    List<DispatchEffect> cancel(long ms) {
      return on(new CancelRequested(at(ms)));
    }

    TrackedCommand target(int target) {
      return state.targets().get(id(target));
    }

    TrackedCommand cancelOf(int target) {
      return state.cancels().get(id(target) + "~cancel");
    }
  }

  private static RecordCommand record(int target, CommandState state, int attempts, String detail) {
    return new RecordCommand(id(target), state, attempts, detail);
  }

  private static CommandProgress progress(
      long seq, int target, CommandState state, int attempt, boolean ends, String detail, long ms) {
    return new CommandProgress(
        DISTRICT,
        RUN,
        seq,
        id(target),
        device(target),
        "close",
        state,
        attempt,
        ends,
        detail,
        at(ms));
  }

  private static RunProgress runProgress(
      long seq, RunState state, int total, Map<CommandState, Integer> counts, long ms) {
    return new RunProgress(DISTRICT, RUN, seq, state, total, counts, at(ms));
  }

  /** Every state counted, zero unless named: {@code counts(DONE, 2, FAILED, 1)}. */
  private static Map<CommandState, Integer> counts(Object... stateAndCount) {
    Map<CommandState, Integer> counts = new EnumMap<>(CommandState.class);
    for (CommandState s : CommandState.values()) {
      counts.put(s, 0);
    }
    for (int i = 0; i < stateAndCount.length; i += 2) {
      counts.put((CommandState) stateAndCount[i], (Integer) stateAndCount[i + 1]);
    }
    return counts;
  }

  private static String wire(int target, int attempt) {
    return attempt == 1 ? id(target) : id(target) + "~" + attempt;
  }

  /** When an attempt sent at {@code ms} expires: one ack timeout later, or the run's expiry. */
  private static long attemptExpiry(long ms) {
    return Math.min(TTL_MS, ms + ACK_TIMEOUT_MS);
  }

  /** Every attempt carries the command's one id; only {@code attempt} tells them apart. */
  private static Publish publish(int target, int attempt, long ms) {
    long expirySeconds = (attemptExpiry(ms) - ms + 999) / 1000;
    return new Publish(
        id(target),
        wire(target, attempt),
        "city/v1/DP/cmd/" + device(target),
        Command.newBuilder()
            .setCommandId(id(target))
            .setDeviceId(device(target))
            .setDistrict(DISTRICT)
            .setAction("close")
            .putParams("level", "high")
            .setIssuedAtMs(T0 + ms)
            .setExpiresAtMs(T0 + attemptExpiry(ms))
            .setPlanRunId(RUN)
            .setAttempt(attempt)
            .build(),
        Math.max(1, expirySeconds));
  }

  private static Publish publishCancel(int target, String cancels, long ms) {
    String cancelId = id(target) + "~cancel";
    return new Publish(
        cancelId,
        cancelId,
        "city/v1/DP/cmd/" + device(target),
        Command.newBuilder()
            .setCommandId(cancelId)
            .setDeviceId(device(target))
            .setDistrict(DISTRICT)
            .setAction("cancel")
            .setIssuedAtMs(T0 + ms)
            .setExpiresAtMs(T0 + attemptExpiry(ms))
            .setPlanRunId(RUN)
            .setAttempt(1)
            .setCancelsCommandId(cancels)
            .build(),
        (attemptExpiry(ms) - ms + 999) / 1000);
  }

  private static ScheduleAckTimeout ackTimer(int target, int attempt) {
    return new ScheduleAckTimeout(id(target), wire(target, attempt), ACK_TIMEOUT_MS);
  }

  /** How a one-target run gets into a state of the table. */
  private static Run oneTargetIn(String state) {
    Run run = new Run(1);
    switch (state) {
      case "pending" -> {}
      case "sent" -> run.start();
      case "accepted" -> {
        run.start();
        run.ack(wire(1, 1), AckStatus.ACK_STATUS_ACCEPTED, 100);
      }
      case "failed, backoff" -> {
        run.start();
        run.on(new PublishFailed(wire(1, 1), "connection lost", at(100)));
      }
      case "timed_out, backoff" -> {
        run.start();
        run.timeout(wire(1, 1), ACK_TIMEOUT_MS);
      }
      case "sent #2" -> {
        run.start();
        run.timeout(wire(1, 1), 5_000);
        run.retry(1, 2, 5_200);
      }
      case "sent, last attempt" -> {
        run.start();
        run.on(new PublishFailed(wire(1, 1), "connection lost", at(100)));
        run.retry(1, 2, 300);
        run.on(new PublishFailed(wire(1, 2), "connection lost", at(400)));
        run.retry(1, 3, 800);
      }
      case "done" -> {
        run.start();
        run.ack(wire(1, 1), AckStatus.ACK_STATUS_DONE, 100);
      }
      case "rejected" -> {
        run.start();
        run.ack(wire(1, 1), AckStatus.ACK_STATUS_REJECTED, 100);
      }
      case "failed, final" -> {
        run.start();
        run.ack(wire(1, 1), AckStatus.ACK_STATUS_FAILED, 100);
      }
      case "failed, attempts used" -> {
        run = oneTargetIn("sent, last attempt");
        run.on(new PublishFailed(wire(1, 3), "connection lost", at(900)));
      }
      case "timed_out, final" -> {
        run = oneTargetIn("sent, last attempt");
        run.timeout(wire(1, 3), 5_800);
      }
      case "cancelling" -> {
        run.start();
        run.cancel(100);
      }
      case "cancelled" -> {
        run.start();
        run.cancel(100);
        run.ack(id(1) + "~cancel", AckStatus.ACK_STATUS_DONE, 200);
      }
      default -> throw new IllegalArgumentException(state);
    }
    return run;
  }

  private static List<DispatchEffect> fire(Run run, String event) {
    TrackedCommand t = run.target(1);
    String wireId = t.wireId() == null ? id(1) : t.wireId();
    long ms = 10_000;
    return switch (event) {
      case "start" -> run.on(new Start(at(ms)));
      case "ack ACCEPTED" -> run.ack(wireId, AckStatus.ACK_STATUS_ACCEPTED, ms);
      case "ack DONE" -> run.ack(wireId, AckStatus.ACK_STATUS_DONE, ms);
      case "ack FAILED" -> run.ack(wireId, AckStatus.ACK_STATUS_FAILED, ms);
      case "ack REJECTED" -> run.ack(wireId, AckStatus.ACK_STATUS_REJECTED, ms);
      case "ack UNSPECIFIED" -> run.ack(wireId, AckStatus.ACK_STATUS_UNSPECIFIED, ms);
      case "ack ACCEPTED of #1" -> run.ack(wire(1, 1), AckStatus.ACK_STATUS_ACCEPTED, ms);
      case "ack DONE of #1" -> run.ack(wire(1, 1), AckStatus.ACK_STATUS_DONE, ms);
      case "ack FAILED of #1" -> run.ack(wire(1, 1), AckStatus.ACK_STATUS_FAILED, ms);
      case "ack REJECTED of #1" -> run.ack(wire(1, 1), AckStatus.ACK_STATUS_REJECTED, ms);
      case "ack timeout of #1" -> run.timeout(wire(1, 1), ms);
      case "publish failed of #1" -> run.on(new PublishFailed(wire(1, 1), "late", at(ms)));
      case "ack timeout" -> run.timeout(wireId, ms);
      case "publish failed" -> run.on(new PublishFailed(wireId, "boom", at(ms)));
      case "published" -> run.on(new Published(wireId));
      case "retry due" -> run.retry(1, t.attempt() + 1, ms);
      case "cancel" -> run.cancel(ms);
      default -> throw new IllegalArgumentException(event);
    };
  }

  @ParameterizedTest(name = "{0} + {1} -> {2} (final {3}): {4}")
  @DisplayName("every transition of the table gives its next state and effects")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          pending            | start           | sent      | false | RecordCommand CommandProgress ScheduleAckTimeout Publish
          pending            | cancel          | cancelled | true  | MarkRun RecordCommand CommandProgress FinishRun RunProgress
          pending            | ack DONE        | pending   | false | CountStaleAck
          pending            | ack timeout     | pending   | false | ''
          pending            | retry due       | pending   | false | ''
          sent               | ack ACCEPTED    | accepted  | false | RecordCommand CommandProgress
          sent               | ack DONE        | done      | true  | CancelTimer RecordCommand CommandProgress FinishRun RunProgress
          sent               | ack FAILED      | failed    | true  | CancelTimer RecordCommand CommandProgress FinishRun RunProgress
          sent               | ack REJECTED    | rejected  | true  | CancelTimer RecordCommand CommandProgress FinishRun RunProgress
          sent               | ack UNSPECIFIED | sent      | false | CountStaleAck
          sent               | ack timeout     | timed_out | false | RecordCommand CommandProgress ScheduleRetry
          sent               | publish failed  | failed    | false | CancelTimer RecordCommand CommandProgress ScheduleRetry
          sent               | published       | sent      | false | ''
          sent               | retry due       | sent      | false | ''
          sent               | start           | sent      | false | ''
          sent               | cancel          | cancelling | false | MarkRun CancelTimer RecordCommand CommandProgress InsertCancel ScheduleAckTimeout Publish
          accepted           | ack ACCEPTED    | accepted  | false | ''
          accepted           | ack DONE        | done      | true  | CancelTimer RecordCommand CommandProgress FinishRun RunProgress
          accepted           | ack FAILED      | failed    | true  | CancelTimer RecordCommand CommandProgress FinishRun RunProgress
          accepted           | ack REJECTED    | rejected  | true  | CancelTimer RecordCommand CommandProgress FinishRun RunProgress
          accepted           | ack timeout     | timed_out | false | RecordCommand CommandProgress ScheduleRetry
          accepted           | publish failed  | failed    | false | CancelTimer RecordCommand CommandProgress ScheduleRetry
          accepted           | cancel          | cancelling | false | MarkRun CancelTimer RecordCommand CommandProgress InsertCancel ScheduleAckTimeout Publish
          failed, backoff    | ack ACCEPTED    | failed    | false | ''
          failed, backoff    | ack DONE        | done      | true  | CancelTimer RecordCommand CommandProgress FinishRun RunProgress
          failed, backoff    | ack FAILED      | failed    | true  | CancelTimer RecordCommand CommandProgress FinishRun RunProgress
          failed, backoff    | ack REJECTED    | rejected  | true  | CancelTimer RecordCommand CommandProgress FinishRun RunProgress
          failed, backoff    | ack timeout     | failed    | false | ''
          failed, backoff    | publish failed  | failed    | false | ''
          failed, backoff    | retry due       | sent      | false | RecordCommand CommandProgress ScheduleAckTimeout Publish
          failed, backoff    | cancel          | cancelling | false | MarkRun CancelTimer RecordCommand CommandProgress InsertCancel ScheduleAckTimeout Publish
          timed_out, backoff | ack ACCEPTED    | timed_out | false | ''
          timed_out, backoff | ack DONE        | done      | true  | CancelTimer RecordCommand CommandProgress FinishRun RunProgress
          timed_out, backoff | ack FAILED      | failed    | true  | CancelTimer RecordCommand CommandProgress FinishRun RunProgress
          timed_out, backoff | ack REJECTED    | rejected  | true  | CancelTimer RecordCommand CommandProgress FinishRun RunProgress
          timed_out, backoff | ack timeout     | timed_out | false | ''
          timed_out, backoff | publish failed  | failed    | false | CancelTimer RecordCommand CommandProgress ScheduleRetry
          timed_out, backoff | retry due       | sent      | false | RecordCommand CommandProgress ScheduleAckTimeout Publish
          timed_out, backoff | cancel          | cancelling | false | MarkRun CancelTimer RecordCommand CommandProgress InsertCancel ScheduleAckTimeout Publish
          sent, last attempt | ack ACCEPTED    | accepted  | false | RecordCommand CommandProgress
          sent, last attempt | ack DONE        | done      | true  | CancelTimer RecordCommand CommandProgress FinishRun RunProgress
          sent, last attempt | ack FAILED      | failed    | true  | CancelTimer RecordCommand CommandProgress FinishRun RunProgress
          sent, last attempt | ack REJECTED    | rejected  | true  | CancelTimer RecordCommand CommandProgress FinishRun RunProgress
          sent, last attempt | ack timeout     | timed_out | true  | RecordCommand CommandProgress FinishRun RunProgress
          sent, last attempt | publish failed  | failed    | true  | CancelTimer RecordCommand CommandProgress FinishRun RunProgress
          done               | ack ACCEPTED    | done      | true  | CountStaleAck
          done               | ack DONE        | done      | true  | CountStaleAck
          done               | ack FAILED      | done      | true  | CountStaleAck
          done               | ack REJECTED    | done      | true  | CountStaleAck
          done               | ack timeout     | done      | true  | ''
          done               | publish failed  | done      | true  | ''
          done               | retry due       | done      | true  | ''
          done               | start           | done      | true  | ''
          done               | cancel          | done      | true  | ''
          sent #2            | ack ACCEPTED    | accepted  | false | RecordCommand CommandProgress
          sent #2            | ack ACCEPTED of #1 | sent   | false | CountStaleAck
          sent #2            | ack REJECTED of #1 | sent   | false | CountStaleAck
          sent #2            | ack DONE of #1  | done      | true  | CancelTimer RecordCommand CommandProgress FinishRun RunProgress
          sent #2            | ack FAILED of #1 | failed   | true  | CancelTimer RecordCommand CommandProgress FinishRun RunProgress
          sent #2            | ack timeout of #1 | sent    | false | ''
          sent #2            | publish failed of #1 | sent | false | ''
          rejected           | ack DONE        | rejected  | true  | CountStaleAck
          failed, final      | ack DONE        | failed    | true  | CountStaleAck
          failed, final      | ack FAILED      | failed    | true  | CountStaleAck
          failed, final      | retry due       | failed    | true  | ''
          failed, final      | ack timeout     | failed    | true  | ''
          failed, attempts used | ack DONE     | failed    | true  | CountStaleAck
          failed, attempts used | retry due    | failed    | true  | ''
          timed_out, final   | ack DONE        | timed_out | true  | CountStaleAck
          cancelling         | ack ACCEPTED    | cancelling | false | ''
          cancelling         | ack DONE        | done      | true  | RecordCommand CommandProgress FinishRun RunProgress
          cancelling         | ack FAILED      | failed    | true  | RecordCommand CommandProgress FinishRun RunProgress
          cancelling         | ack REJECTED    | rejected  | true  | RecordCommand CommandProgress FinishRun RunProgress
          cancelling         | ack timeout     | cancelling | false | ''
          cancelling         | retry due       | cancelling | false | ''
          cancelling         | cancel          | cancelling | false | ''
          cancelled          | ack DONE        | cancelled | true  | CountStaleAck
          cancelled          | ack FAILED      | cancelled | true  | CountStaleAck
          cancelled          | retry due       | cancelled | true  | ''
          cancelled          | cancel          | cancelled | true  | ''
          """)
  void table(String from, String event, String to, boolean ends, String effects) {
    Run run = oneTargetIn(from);
    List<DispatchEffect> done = fire(run, event);
    assertThat(run.target(1).state().word()).isEqualTo(to);
    assertThat(run.target(1).ended()).isEqualTo(ends);
    assertThat(done)
        .extracting(e -> e.getClass().getSimpleName())
        .containsExactlyElementsOf(
            effects.isBlank() ? List.of() : Arrays.asList(effects.trim().split("\\s+")));
  }

  @Nested
  @DisplayName("starting a run")
  class Starting {

    @Test
    @DisplayName(
        "sends each target its first attempt under its command id, in plan order, recorded and pushed first")
    void firstAttempts() {
      Run run = new Run(2);
      assertThat(run.start())
          .containsExactly(
              record(1, CommandState.SENT, 1, ""),
              progress(1, 1, CommandState.SENT, 1, false, "", 0),
              ackTimer(1, 1),
              publish(1, 1, 0),
              record(2, CommandState.SENT, 1, ""),
              progress(2, 2, CommandState.SENT, 1, false, "", 0),
              ackTimer(2, 1),
              publish(2, 1, 0));
      assertThat(run.state.wireIds()).containsOnlyKeys(id(1), id(2));
      assertThat(run.state.running()).isTrue();
    }

    @Test
    @DisplayName(
        "lets an attempt live one ack timeout, in expires_at_ms and the broker's message expiry alike")
    void attemptExpiry() {
      Run run = new Run(1);
      Publish p = (Publish) run.on(new Start(at(1_000))).get(3);
      assertThat(p.command().getExpiresAtMs()).isEqualTo(T0 + 1_000 + ACK_TIMEOUT_MS);
      assertThat(p.expirySeconds()).isEqualTo(ACK_TIMEOUT_MS / 1000);
    }

    @Test
    @DisplayName(
        "cuts an attempt's expiry to the run's when the run ends sooner than an ack timeout")
    void expiry() {
      Run run = new Run(1);
      List<DispatchEffect> effects = run.on(new Start(at(TTL_MS - 1_500)));
      assertThat(effects).filteredOn(Publish.class::isInstance).hasSize(1);
      Publish p = (Publish) effects.get(effects.size() - 1);
      assertThat(p.expirySeconds()).isEqualTo(2);
      assertThat(p.command().getIssuedAtMs()).isEqualTo(T0 + TTL_MS - 1_500);
      assertThat(p.command().getExpiresAtMs()).isEqualTo(T0 + TTL_MS);
    }

    @Test
    @DisplayName("completes a run without targets at once, with every count zero")
    void empty() {
      Run run = new Run(0);
      assertThat(run.start())
          .containsExactly(
              new FinishRun(RUN, RunState.COMPLETED),
              runProgress(1, RunState.COMPLETED, 0, counts(), 0));
      assertThat(run.state.settled()).isTrue();
    }

    @Test
    @DisplayName(
        "ends a target timed_out at attempt 0 when the run expired before its first attempt, publishing nothing")
    void expiredBeforeFirstAttempt() {
      Run run = new Run(1);
      assertThat(run.on(new Start(at(TTL_MS))))
          .containsExactly(
              record(1, CommandState.TIMED_OUT, 0, "expired before attempt 1"),
              progress(1, 1, CommandState.TIMED_OUT, 0, true, "expired before attempt 1", TTL_MS),
              new FinishRun(RUN, RunState.PARTIALLY_FAILED),
              runProgress(
                  2, RunState.PARTIALLY_FAILED, 1, counts(CommandState.TIMED_OUT, 1), TTL_MS));
      assertThat(run.state.wireIds()).isEmpty();
    }
  }

  @Nested
  @DisplayName("acks")
  class Acks {

    @Test
    @DisplayName("ACCEPTED moves a sent target to accepted and leaves its ack timer running")
    void accepted() {
      Run run = new Run(1);
      run.start();
      assertThat(run.ack(id(1), AckStatus.ACK_STATUS_ACCEPTED, 50))
          .containsExactly(
              record(1, CommandState.ACCEPTED, 1, "d"),
              progress(2, 1, CommandState.ACCEPTED, 1, false, "d", 50));
      assertThat(run.target(1).timer()).isEqualTo(TrackedCommand.Timer.ACK_TIMEOUT);
    }

    @Test
    @DisplayName(
        "DONE ends the target done and stops its ack timer; all targets done completes the run")
    void done() {
      Run run = new Run(2);
      run.start();
      assertThat(run.ack(id(1), AckStatus.ACK_STATUS_DONE, 60))
          .containsExactly(
              new CancelTimer(id(1)),
              record(1, CommandState.DONE, 1, "d"),
              progress(3, 1, CommandState.DONE, 1, true, "d", 60));
      assertThat(run.state.running()).isTrue();
      assertThat(run.ack(id(2), AckStatus.ACK_STATUS_DONE, 70))
          .containsExactly(
              new CancelTimer(id(2)),
              record(2, CommandState.DONE, 1, "d"),
              progress(4, 2, CommandState.DONE, 1, true, "d", 70),
              new FinishRun(RUN, RunState.COMPLETED),
              runProgress(5, RunState.COMPLETED, 2, counts(CommandState.DONE, 2), 70));
      assertThat(run.state.settled()).isTrue();
    }

    @Test
    @DisplayName("REJECTED is final at once, with no retry, and the run ends partially failed")
    void rejected() {
      Run run = new Run(1);
      run.start();
      assertThat(run.ack(id(1), AckStatus.ACK_STATUS_REJECTED, 60))
          .containsExactly(
              new CancelTimer(id(1)),
              record(1, CommandState.REJECTED, 1, "d"),
              progress(2, 1, CommandState.REJECTED, 1, true, "d", 60),
              new FinishRun(RUN, RunState.PARTIALLY_FAILED),
              runProgress(3, RunState.PARTIALLY_FAILED, 1, counts(CommandState.REJECTED, 1), 60));
    }

    @Test
    @DisplayName(
        "FAILED is final with attempts left: the device ran the action, a retry would run it twice")
    void failedIsFinal() {
      Run run = new Run(1);
      run.start();
      assertThat(run.ack(id(1), AckStatus.ACK_STATUS_FAILED, 60))
          .containsExactly(
              new CancelTimer(id(1)),
              record(1, CommandState.FAILED, 1, "d"),
              progress(2, 1, CommandState.FAILED, 1, true, "d", 60),
              new FinishRun(RUN, RunState.PARTIALLY_FAILED),
              runProgress(3, RunState.PARTIALLY_FAILED, 1, counts(CommandState.FAILED, 1), 60));
      assertThat(run.target(1).timer()).isEqualTo(TrackedCommand.Timer.NONE);
      assertThat(run.retry(1, 2, 260)).isEmpty();
    }

    @Test
    @DisplayName(
        "a repeated ACCEPTED, or one while waiting for a retry, changes nothing and is not stale")
    void acceptedTwice() {
      Run run = new Run(1);
      run.start();
      run.ack(id(1), AckStatus.ACK_STATUS_ACCEPTED, 50);
      TrackedRun before = run.state;
      assertThat(run.ack(id(1), AckStatus.ACK_STATUS_ACCEPTED, 51)).isEmpty();
      assertThat(run.state).isEqualTo(before);
      run.timeout(id(1), 5_000);
      assertThat(run.ack(id(1), AckStatus.ACK_STATUS_ACCEPTED, 5_001)).isEmpty();
      assertThat(run.target(1).state()).isEqualTo(CommandState.TIMED_OUT);
    }

    @Test
    @DisplayName("a repeated DONE, FAILED or REJECTED comes after the end and is counted stale")
    void finalTwice() {
      Run run = new Run(3);
      run.start();
      run.ack(id(1), AckStatus.ACK_STATUS_DONE, 50);
      run.ack(id(2), AckStatus.ACK_STATUS_REJECTED, 50);
      run.ack(id(3), AckStatus.ACK_STATUS_FAILED, 50);
      TrackedRun before = run.state;
      assertThat(run.ack(id(1), AckStatus.ACK_STATUS_DONE, 51))
          .containsExactly(new CountStaleAck(id(1), Why.AFTER_THE_END));
      assertThat(run.ack(id(2), AckStatus.ACK_STATUS_REJECTED, 51))
          .containsExactly(new CountStaleAck(id(2), Why.AFTER_THE_END));
      assertThat(run.ack(id(3), AckStatus.ACK_STATUS_FAILED, 51))
          .containsExactly(new CountStaleAck(id(3), Why.AFTER_THE_END));
      assertThat(run.state).isEqualTo(before);
    }

    @Test
    @DisplayName(
        "a repeated failed publish of an attempt whose publish failed already changes nothing")
    void publishFailedTwice() {
      Run run = new Run(1);
      run.start();
      run.on(new PublishFailed(id(1), "connection lost", at(60)));
      TrackedRun before = run.state;
      assertThat(run.on(new PublishFailed(id(1), "connection lost", at(62)))).isEmpty();
      assertThat(run.state).isEqualTo(before);
      assertThat(run.retry(1, 2, 260)).contains(publish(1, 2, 260));
    }

    @Test
    @DisplayName(
        "a late FAILED of an attempt that timed out ends the target failed and stops the backoff")
    void failedAfterTimeout() {
      Run run = new Run(1);
      run.start();
      run.timeout(id(1), 5_000);
      assertThat(run.ack(id(1), AckStatus.ACK_STATUS_FAILED, 5_100))
          .containsExactly(
              new CancelTimer(id(1)),
              record(1, CommandState.FAILED, 1, "d"),
              progress(3, 1, CommandState.FAILED, 1, true, "d", 5_100),
              new FinishRun(RUN, RunState.PARTIALLY_FAILED),
              runProgress(4, RunState.PARTIALLY_FAILED, 1, counts(CommandState.FAILED, 1), 5_100));
      assertThat(run.retry(1, 2, 5_200)).isEmpty();
    }

    @Test
    @DisplayName(
        "only the target device's own ack topic counts: another topic is stale, even with the right id")
    void ownTopicOnly() {
      Run run = new Run(2);
      run.start();
      TrackedRun before = run.state;
      assertThat(
              run.on(
                  new Ack(
                      Topics.ack(DISTRICT, device(2)),
                      id(1),
                      AckStatus.ACK_STATUS_DONE,
                      "",
                      at(50))))
          .containsExactly(new CountStaleAck(id(1), Why.NOT_FROM_TARGET));
      assertThat(
              run.on(
                  new Ack(
                      Topics.ack("NS", device(1)), id(1), AckStatus.ACK_STATUS_DONE, "", at(50))))
          .containsExactly(new CountStaleAck(id(1), Why.NOT_FROM_TARGET));
      assertThat(run.state).isEqualTo(before);
    }

    @Test
    @DisplayName(
        "an ack for an id the run never sent, or without a status, is stale and changes nothing")
    void unknownOrStatusless() {
      Run run = new Run(1);
      run.start();
      TrackedRun before = run.state;
      assertThat(run.ack("other-c1", AckStatus.ACK_STATUS_DONE, 50))
          .containsExactly(new CountStaleAck("other-c1", Why.UNKNOWN_COMMAND));
      assertThat(run.ack(id(1), AckStatus.ACK_STATUS_UNSPECIFIED, 50))
          .containsExactly(new CountStaleAck(id(1), Why.NO_STATUS));
      assertThat(run.state).isEqualTo(before);
    }
  }

  @Nested
  @DisplayName("retries")
  class Retries {

    @Test
    @DisplayName(
        "go out under the same command id with the next attempt and the backoff doubling, until the attempt limit ends the target timed_out")
    void upToMaxAttempts() {
      Run run = new Run(1);
      run.start();
      run.timeout(wire(1, 1), 5_000);
      assertThat(run.retry(1, 2, 5_200))
          .containsExactly(
              record(1, CommandState.SENT, 2, "retry"),
              progress(3, 1, CommandState.SENT, 2, false, "retry", 5_200),
              ackTimer(1, 2),
              publish(1, 2, 5_200));
      assertThat(run.target(1).wireId()).isEqualTo(id(1) + "~2");
      assertThat(run.timeout(wire(1, 2), 10_200))
          .contains(new ScheduleRetry(id(1), 3, 300)); // 400 ms, capped at 300
      List<DispatchEffect> third = run.retry(1, 3, 10_500);
      assertThat(third).contains(publish(1, 3, 10_500));
      Command sent = ((Publish) third.get(third.size() - 1)).command();
      assertThat(sent.getCommandId()).isEqualTo(id(1));
      assertThat(sent.getAttempt()).isEqualTo(3);
      assertThat(sent.getExpiresAtMs()).isEqualTo(T0 + 10_500 + ACK_TIMEOUT_MS);
      assertThat(run.timeout(wire(1, 3), 15_500))
          .containsExactly(
              record(1, CommandState.TIMED_OUT, 3, "no final ack within 5000 ms (attempt 3 of 3)"),
              progress(
                  6,
                  1,
                  CommandState.TIMED_OUT,
                  3,
                  true,
                  "no final ack within 5000 ms (attempt 3 of 3)",
                  15_500),
              new FinishRun(RUN, RunState.PARTIALLY_FAILED),
              runProgress(
                  7, RunState.PARTIALLY_FAILED, 1, counts(CommandState.TIMED_OUT, 1), 15_500));
      assertThat(run.state.wireIds()).containsOnlyKeys(wire(1, 1), wire(1, 2), wire(1, 3));
    }

    @Test
    @DisplayName("are not scheduled when the backoff would end after the run expires")
    void noTimeLeft() {
      Run run = new Run(1);
      run.start();
      String why = "no final ack within 5000 ms (no time left before expiry)";
      assertThat(run.timeout(id(1), TTL_MS - 200))
          .containsExactly(
              record(1, CommandState.TIMED_OUT, 1, why),
              progress(2, 1, CommandState.TIMED_OUT, 1, true, why, TTL_MS - 200),
              new FinishRun(RUN, RunState.PARTIALLY_FAILED),
              runProgress(
                  3,
                  RunState.PARTIALLY_FAILED,
                  1,
                  counts(CommandState.TIMED_OUT, 1),
                  TTL_MS - 200));
    }

    @Test
    @DisplayName(
        "that come due after the run expired end the target timed_out at the attempt it had")
    void dueAfterExpiry() {
      Run run = new Run(1);
      run.start();
      run.timeout(id(1), TTL_MS - 201);
      assertThat(run.retry(1, 2, TTL_MS))
          .containsExactly(
              record(1, CommandState.TIMED_OUT, 1, "expired before attempt 2"),
              progress(3, 1, CommandState.TIMED_OUT, 1, true, "expired before attempt 2", TTL_MS),
              new FinishRun(RUN, RunState.PARTIALLY_FAILED),
              runProgress(
                  4, RunState.PARTIALLY_FAILED, 1, counts(CommandState.TIMED_OUT, 1), TTL_MS));
    }

    @Test
    @DisplayName("due for another attempt than the one the target waits for are ignored")
    void wrongAttempt() {
      Run run = new Run(1);
      run.start();
      run.timeout(id(1), 5_000);
      TrackedRun before = run.state;
      assertThat(run.retry(1, 3, 300)).isEmpty();
      assertThat(run.state).isEqualTo(before);
    }
  }

  @Nested
  @DisplayName("ack timeouts")
  class Timeouts {

    @Test
    @DisplayName("time out an attempt without a final ack and retry it after the backoff")
    void timeoutRetries() {
      Run run = new Run(1);
      run.start();
      run.ack(id(1), AckStatus.ACK_STATUS_ACCEPTED, 50);
      assertThat(run.timeout(id(1), 5_000))
          .containsExactly(
              record(
                  1, CommandState.TIMED_OUT, 1, "no final ack within 5000 ms; retry 2 in 200 ms"),
              progress(
                  3,
                  1,
                  CommandState.TIMED_OUT,
                  1,
                  false,
                  "no final ack within 5000 ms; retry 2 in 200 ms",
                  5_000),
              new ScheduleRetry(id(1), 2, 200));
    }

    @Test
    @DisplayName("end the target timed_out on its last attempt")
    void lastAttempt() {
      Run run = oneTargetIn("sent, last attempt");
      assertThat(run.timeout(wire(1, 3), 6_000))
          .startsWith(
              record(1, CommandState.TIMED_OUT, 3, "no final ack within 5000 ms (attempt 3 of 3)"));
      assertThat(run.state.state()).isEqualTo(RunState.PARTIALLY_FAILED);
    }

    @Test
    @DisplayName(
        "let a late DONE of the timed-out attempt still count before its retry goes out, stopping the backoff")
    void lateAckDuringBackoff() {
      Run run = new Run(1);
      run.start();
      run.timeout(id(1), 5_000);
      assertThat(run.ack(id(1), AckStatus.ACK_STATUS_DONE, 5_100))
          .containsExactly(
              new CancelTimer(id(1)),
              record(1, CommandState.DONE, 1, "d"),
              progress(3, 1, CommandState.DONE, 1, true, "d", 5_100),
              new FinishRun(RUN, RunState.COMPLETED),
              runProgress(4, RunState.COMPLETED, 1, counts(CommandState.DONE, 1), 5_100));
      assertThat(run.retry(1, 2, 5_200)).isEmpty();
    }

    @Test
    @DisplayName(
        "count the earlier attempt's late ACCEPTED and REJECTED stale once the retry is out, and the retry carries on")
    void lateAckAfterRetry() {
      Run run = new Run(1);
      run.start();
      run.timeout(id(1), 5_000);
      run.retry(1, 2, 5_200);
      TrackedRun before = run.state;
      assertThat(run.ack(id(1), AckStatus.ACK_STATUS_ACCEPTED, 5_300))
          .containsExactly(new CountStaleAck(id(1), Why.EARLIER_ATTEMPT));
      assertThat(run.ack(id(1), AckStatus.ACK_STATUS_REJECTED, 5_300))
          .containsExactly(new CountStaleAck(id(1), Why.EARLIER_ATTEMPT));
      assertThat(run.timeout(id(1), 5_300)).isEmpty();
      assertThat(run.on(new PublishFailed(id(1), "late", at(5_300)))).isEmpty();
      assertThat(run.state).isEqualTo(before);
      assertThat(run.ack(id(1) + "~2", AckStatus.ACK_STATUS_DONE, 5_400))
          .contains(record(1, CommandState.DONE, 2, "d"));
    }

    @Test
    @DisplayName(
        "a slow device's DONE of the first attempt ends the target done while the retry is out: the device ran the one command once")
    void slowDeviceDone() {
      Run run = new Run(1);
      run.start();
      run.ack(id(1), AckStatus.ACK_STATUS_ACCEPTED, 100);
      run.timeout(id(1), 5_000);
      run.retry(1, 2, 5_200);
      // The device answers the repeat with "already running", then finishes the first attempt.
      assertThat(run.ack(id(1) + "~2", AckStatus.ACK_STATUS_ACCEPTED, 5_300))
          .contains(record(1, CommandState.ACCEPTED, 2, "d"));
      assertThat(run.ack(id(1), AckStatus.ACK_STATUS_DONE, 7_000))
          .containsExactly(
              new CancelTimer(id(1)),
              record(1, CommandState.DONE, 2, "d"),
              progress(6, 1, CommandState.DONE, 2, true, "d", 7_000),
              new FinishRun(RUN, RunState.COMPLETED),
              runProgress(6 + 1, RunState.COMPLETED, 1, counts(CommandState.DONE, 1), 7_000));
      assertThat(run.retry(1, 3, 7_300)).isEmpty();
      assertThat(run.timeout(id(1) + "~2", 10_200)).isEmpty();
    }

    @Test
    @DisplayName("a FAILED of the first attempt while the retry is out ends the target failed")
    void slowDeviceFailed() {
      Run run = new Run(1);
      run.start();
      run.timeout(id(1), 5_000);
      run.retry(1, 2, 5_200);
      assertThat(run.ack(id(1), AckStatus.ACK_STATUS_FAILED, 6_000))
          .contains(
              new CancelTimer(id(1)),
              record(1, CommandState.FAILED, 2, "d"),
              new FinishRun(RUN, RunState.PARTIALLY_FAILED));
      assertThat(run.target(1).ended()).isTrue();
    }
  }

  @Nested
  @DisplayName("publishing")
  class Publishing {

    @Test
    @DisplayName(
        "a failed publish is a failed attempt: the ack timer stops and the retry waits the backoff")
    void publishFailed() {
      Run run = new Run(1);
      run.start();
      assertThat(run.on(new PublishFailed(id(1), "connection lost", at(10))))
          .containsExactly(
              new CancelTimer(id(1)),
              record(
                  1, CommandState.FAILED, 1, "publish failed: connection lost; retry 2 in 200 ms"),
              progress(
                  2,
                  1,
                  CommandState.FAILED,
                  1,
                  false,
                  "publish failed: connection lost; retry 2 in 200 ms",
                  10),
              new ScheduleRetry(id(1), 2, 200));
    }

    @Test
    @DisplayName("a publish the broker took changes nothing")
    void published() {
      Run run = new Run(1);
      run.start();
      TrackedRun before = run.state;
      assertThat(run.on(new Published(id(1)))).isEmpty();
      assertThat(run.state).isSameAs(before);
    }
  }

  @Nested
  @DisplayName("cancelling")
  class Cancelling {

    @Test
    @DisplayName(
        "makes the run cancelling and every target not yet final cancelling, each sent a cancel command naming its command id, whichever attempt is out")
    void cancel() {
      Run run = new Run(3);
      run.start(); // seq 1-3
      run.ack(id(1), AckStatus.ACK_STATUS_DONE, 50); // seq 4
      run.timeout(id(3), 60); // seq 5
      run.retry(3, 2, 260); // seq 6
      assertThat(run.cancel(300))
          .containsExactly(
              new MarkRun(RUN, RunState.CANCELLING),
              new CancelTimer(id(2)),
              record(2, CommandState.CANCELLING, 1, "cancel sent"),
              progress(7, 2, CommandState.CANCELLING, 1, false, "cancel sent", 300),
              new InsertCancel(
                  id(2) + "~cancel", RUN, device(2), DISTRICT, id(2), T0 + 300, T0 + TTL_MS),
              new ScheduleAckTimeout(id(2) + "~cancel", id(2) + "~cancel", ACK_TIMEOUT_MS),
              publishCancel(2, id(2), 300),
              new CancelTimer(id(3)),
              record(3, CommandState.CANCELLING, 2, "cancel sent"),
              progress(8, 3, CommandState.CANCELLING, 2, false, "cancel sent", 300),
              new InsertCancel(
                  id(3) + "~cancel", RUN, device(3), DISTRICT, id(3), T0 + 300, T0 + TTL_MS),
              new ScheduleAckTimeout(id(3) + "~cancel", id(3) + "~cancel", ACK_TIMEOUT_MS),
              publishCancel(3, id(3), 300));
      assertThat(run.state.state()).isEqualTo(RunState.CANCELLING);
      assertThat(run.state.active()).isTrue();
      assertThat(run.cancelOf(1)).isNull();
    }

    @Test
    @DisplayName(
        "the device's answers are the targets' final states: stopped -> cancelled, executed before -> done, then the run ends cancelled")
    void answers() {
      Run run = new Run(3);
      run.start();
      run.cancel(100);
      assertThat(run.ack(id(1) + "~cancel", AckStatus.ACK_STATUS_ACCEPTED, 150)).isEmpty();
      assertThat(run.ack(id(1) + "~cancel", AckStatus.ACK_STATUS_DONE, 200))
          .containsExactly(
              new CancelTimer(id(1) + "~cancel"),
              new RecordCommand(id(1) + "~cancel", CommandState.DONE, 1, "d"),
              record(1, CommandState.CANCELLED, 1, "cancelled: d"),
              progress(7, 1, CommandState.CANCELLED, 1, true, "cancelled: d", 200));
      // The device had finished target 2: its DONE comes first, then the cancel is refused.
      run.ack(id(2), AckStatus.ACK_STATUS_DONE, 210);
      assertThat(run.target(2).state()).isEqualTo(CommandState.DONE);
      run.on(
          new Ack(
              Topics.ack(DISTRICT, device(2)),
              id(2) + "~cancel",
              AckStatus.ACK_STATUS_REJECTED,
              "already done: close done",
              at(220)));
      assertThat(run.cancelOf(2).state()).isEqualTo(CommandState.REJECTED);
      assertThat(run.target(2).state()).isEqualTo(CommandState.DONE);
      // Target 3's own DONE was lost: the refusal says what it did.
      List<DispatchEffect> last =
          run.on(
              new Ack(
                  Topics.ack(DISTRICT, device(3)),
                  id(3) + "~cancel",
                  AckStatus.ACK_STATUS_REJECTED,
                  "already done: close done",
                  at(230)));
      assertThat(run.target(3).state()).isEqualTo(CommandState.DONE);
      assertThat(run.target(3).ended()).isTrue();
      assertThat(last)
          .contains(
              new FinishRun(RUN, RunState.CANCELLED),
              runProgress(
                  run.state.seq(),
                  RunState.CANCELLED,
                  3,
                  counts(CommandState.DONE, 2, CommandState.CANCELLED, 1),
                  230));
      assertThat(run.state.settled()).isTrue();
    }

    @Test
    @DisplayName(
        "a cancel refused for another reason, unanswered or unpublished ends its target cancelled, saying the outcome is unknown")
    void unknownOutcome() {
      Run run = new Run(3);
      run.start();
      run.cancel(100);
      run.on(
          new Ack(
              Topics.ack(DISTRICT, device(1)),
              id(1) + "~cancel",
              AckStatus.ACK_STATUS_REJECTED,
              "expired",
              at(150)));
      assertThat(run.target(1).state()).isEqualTo(CommandState.CANCELLED);
      assertThat(run.state.command(id(1)).ended()).isTrue();
      assertThat(run.timeout(id(2) + "~cancel", 5_100))
          .containsExactly(
              new RecordCommand(
                  id(2) + "~cancel", CommandState.TIMED_OUT, 1, "no final ack within 5000 ms"),
              record(
                  2,
                  CommandState.CANCELLED,
                  1,
                  "no answer to the cancel: no final ack within 5000 ms"),
              progress(
                  8,
                  2,
                  CommandState.CANCELLED,
                  1,
                  true,
                  "no answer to the cancel: no final ack within 5000 ms",
                  5_100));
      assertThat(run.state.state()).isEqualTo(RunState.CANCELLING);
      run.on(new PublishFailed(id(3) + "~cancel", "connection lost", at(5_200)));
      assertThat(run.cancelOf(3).state()).isEqualTo(CommandState.FAILED);
      assertThat(run.target(3).state()).isEqualTo(CommandState.CANCELLED);
      assertThat(run.state.state()).isEqualTo(RunState.CANCELLED);
      assertThat(run.state.settled()).isTrue();
    }

    @Test
    @DisplayName("a target's own FAILED or REJECTED while cancelling is what it did: final")
    void ownOutcome() {
      Run run = new Run(2);
      run.start();
      run.cancel(100);
      run.ack(id(1), AckStatus.ACK_STATUS_ACCEPTED, 110);
      assertThat(run.target(1).state()).isEqualTo(CommandState.CANCELLING);
      run.ack(id(1), AckStatus.ACK_STATUS_FAILED, 120);
      assertThat(run.target(1).state()).isEqualTo(CommandState.FAILED);
      run.ack(id(2), AckStatus.ACK_STATUS_REJECTED, 130);
      assertThat(run.target(2).state()).isEqualTo(CommandState.REJECTED);
      assertThat(run.state.state()).isEqualTo(RunState.CANCELLED);
      // The cancels are still awaited; their answers change no target.
      assertThat(run.state.settled()).isFalse();
      run.ack(id(1) + "~cancel", AckStatus.ACK_STATUS_DONE, 140);
      run.on(
          new Ack(
              Topics.ack(DISTRICT, device(2)),
              id(2) + "~cancel",
              AckStatus.ACK_STATUS_REJECTED,
              "already rejected: expired",
              at(150)));
      assertThat(run.target(1).state()).isEqualTo(CommandState.FAILED);
      assertThat(run.state.settled()).isTrue();
    }

    @Test
    @DisplayName("a target cancelled before it was ever sent gets no cancel command")
    void cancelBeforeStart() {
      Run run = new Run(1);
      assertThat(run.cancel(0))
          .containsExactly(
              new MarkRun(RUN, RunState.CANCELLING),
              record(1, CommandState.CANCELLED, 0, "cancelled before it was sent"),
              progress(1, 1, CommandState.CANCELLED, 0, true, "cancelled before it was sent", 0),
              new FinishRun(RUN, RunState.CANCELLED),
              runProgress(2, RunState.CANCELLED, 1, counts(CommandState.CANCELLED, 1), 0));
      assertThat(run.state.settled()).isTrue();
    }

    @Test
    @DisplayName(
        "after the run's expiry a cancel still goes out, living one ack timeout: the devices are still asked what they did")
    void cancelAfterExpiry() {
      Run run = new Run(1);
      run.start();
      List<DispatchEffect> effects = run.cancel(TTL_MS);
      assertThat(effects)
          .extracting(e -> e.getClass().getSimpleName())
          .containsExactly(
              "MarkRun",
              "CancelTimer",
              "RecordCommand",
              "CommandProgress",
              "InsertCancel",
              "ScheduleAckTimeout",
              "Publish");
      Publish p = (Publish) effects.get(6);
      assertThat(p.command().getExpiresAtMs()).isEqualTo(T0 + TTL_MS + ACK_TIMEOUT_MS);
      assertThat(run.target(1).state()).isEqualTo(CommandState.CANCELLING);
    }

    @Test
    @DisplayName(
        "a run resumed while cancelling sends the cancels it had not sent yet and waits for the others")
    void resumed() {
      Run run = new Run(2);
      run.start();
      run.cancel(100);
      // As RunResume loads it after a restart that lost target 2's cancel command.
      Map<String, TrackedCommand> cancels = new java.util.LinkedHashMap<>(run.state.cancels());
      cancels.remove(id(2) + "~cancel");
      run.state =
          new TrackedRun(
              run.state.plan(),
              run.state.targets(),
              cancels,
              run.state.wireIds(),
              run.state.seq(),
              true,
              RunState.CANCELLING);
      assertThat(run.on(new Start(at(1_000))))
          .extracting(e -> e.getClass().getSimpleName())
          .containsExactly(
              "RecordCommand", "CommandProgress", "InsertCancel", "ScheduleAckTimeout", "Publish");
      assertThat(run.cancelOf(2)).isNotNull();
      assertThat(run.state.state()).isEqualTo(RunState.CANCELLING);
    }

    @Test
    @DisplayName("a run that has finished, or is cancelling already, cannot be cancelled")
    void onlyRunning() {
      Run done = new Run(1);
      done.start();
      done.ack(id(1), AckStatus.ACK_STATUS_DONE, 10);
      assertThat(done.cancel(20)).isEmpty();
      Run cancelled = new Run(1);
      cancelled.start();
      cancelled.cancel(20);
      TrackedRun before = cancelled.state;
      assertThat(cancelled.cancel(30)).isEmpty();
      assertThat(cancelled.state).isEqualTo(before);
    }

    @Test
    @DisplayName("reads what a refused cancel says the device did")
    void executedBefore() {
      assertThat(DispatchMachine.executedBefore("already done: close done"))
          .isEqualTo(CommandState.DONE);
      assertThat(DispatchMachine.executedBefore("already failed")).isEqualTo(CommandState.FAILED);
      assertThat(DispatchMachine.executedBefore("already rejected: expired"))
          .isEqualTo(CommandState.REJECTED);
      assertThat(DispatchMachine.executedBefore("already doneish")).isNull();
      assertThat(DispatchMachine.executedBefore("expired")).isNull();
      assertThat(DispatchMachine.executedBefore(null)).isNull();
    }
  }

  @Nested
  @DisplayName("the run's end")
  class RunEnd {

    @Test
    @DisplayName("is completed when every target is done, partially_failed when any is not")
    void completedOrPartiallyFailed() {
      Run all = new Run(2);
      all.start();
      all.ack(id(1), AckStatus.ACK_STATUS_DONE, 10);
      all.ack(id(2), AckStatus.ACK_STATUS_DONE, 10);
      assertThat(all.state.state()).isEqualTo(RunState.COMPLETED);

      Run some = new Run(3);
      some.start();
      some.ack(id(1), AckStatus.ACK_STATUS_DONE, 10);
      some.ack(id(2), AckStatus.ACK_STATUS_REJECTED, 10);
      assertThat(some.state.running()).isTrue();
      some.timeout(id(3), 5_000);
      some.retry(3, 2, 5_200);
      some.timeout(id(3) + "~2", 10_200);
      some.retry(3, 3, 10_500);
      List<DispatchEffect> last = some.timeout(id(3) + "~3", 15_500);
      assertThat(some.state.state()).isEqualTo(RunState.PARTIALLY_FAILED);
      assertThat(last)
          .contains(
              runProgress(
                  some.state.seq(),
                  RunState.PARTIALLY_FAILED,
                  3,
                  counts(CommandState.DONE, 1, CommandState.REJECTED, 1, CommandState.TIMED_OUT, 1),
                  15_500));
    }

    @Test
    @DisplayName("is cancelled when cancelled, even when the other targets were done")
    void cancelled() {
      Run run = new Run(2);
      run.start();
      run.ack(id(1), AckStatus.ACK_STATUS_DONE, 10);
      run.cancel(20);
      assertThat(run.state.state()).isEqualTo(RunState.CANCELLING);
      run.ack(id(2) + "~cancel", AckStatus.ACK_STATUS_DONE, 30);
      assertThat(run.state.state()).isEqualTo(RunState.CANCELLED);
      assertThat(run.state.counts())
          .containsEntry(CommandState.DONE, 1)
          .containsEntry(CommandState.CANCELLED, 1);
    }

    @Test
    @DisplayName("comes after progress events numbered from 1 without a gap, one per transition")
    void sequence() {
      Run run = new Run(2);
      List<DispatchEffect> all = new ArrayList<>(run.start());
      all.addAll(run.ack(id(1), AckStatus.ACK_STATUS_ACCEPTED, 10));
      all.addAll(run.on(new PublishFailed(id(2), "connection lost", at(10))));
      all.addAll(run.ack(id(1), AckStatus.ACK_STATUS_ACCEPTED, 11)); // changes nothing
      all.addAll(run.retry(2, 2, 210));
      all.addAll(run.ack(id(1), AckStatus.ACK_STATUS_DONE, 300));
      all.addAll(run.ack(id(2) + "~2", AckStatus.ACK_STATUS_ACCEPTED, 310));
      all.addAll(run.ack(id(2) + "~2", AckStatus.ACK_STATUS_DONE, 400));
      List<Long> seqs =
          all.stream()
              .filter(e -> e instanceof CommandProgress || e instanceof RunProgress)
              .map(e -> e instanceof CommandProgress p ? p.seq() : ((RunProgress) e).seq())
              .toList();
      assertThat(seqs).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
      assertThat(all.get(all.size() - 1)).isInstanceOf(RunProgress.class);
    }
  }

  @Test
  @DisplayName(
      "a transition leaves the state it was given as it was, and the same event gives the same step")
  void pure() {
    Run run = new Run(2);
    run.start();
    TrackedRun before = run.state;
    TrackedRun copy =
        new TrackedRun(
            before.plan(),
            before.targets(),
            before.cancels(),
            before.wireIds(),
            before.seq(),
            before.cancelled(),
            before.state());
    DispatchEvent cancel = new CancelRequested(at(100));
    DispatchMachine.Step first = MACHINE.transition(before, cancel);
    DispatchMachine.Step second = MACHINE.transition(before, cancel);
    assertThat(before).isEqualTo(copy);
    assertThat(first).isEqualTo(second);
    assertThat(first.run()).isNotEqualTo(before);
  }
}
