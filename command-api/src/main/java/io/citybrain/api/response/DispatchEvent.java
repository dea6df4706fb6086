package io.citybrain.api.response;

import io.citybrain.proto.v1.AckStatus;
import java.time.Instant;

/**
 * What can happen to a run being dispatched; {@link ResponseDispatcher} feeds these to {@link
 * DispatchMachine}. Every event that may need the time carries it: the machine never reads a clock.
 * Wire ids are the ids on the wire ({@code <command_id>}, {@code <command_id>~<attempt>} from the
 * second attempt, {@code <command_id>~cancel}).
 */
sealed interface DispatchEvent {

  /** The run is stored: every target's first attempt is due. */
  record Start(Instant now) implements DispatchEvent {}

  /** A target's backoff is over: its attempt {@code attempt} is due. */
  record RetryDue(String commandId, int attempt, Instant now) implements DispatchEvent {}

  /**
   * The broker took an attempt (PUBACK). Changes nothing: the target is sent already and its ack
   * timeout runs from the send.
   */
  record Published(String wireId) implements DispatchEvent {}

  /** An attempt could not be published. */
  record PublishFailed(String wireId, String reason, Instant now) implements DispatchEvent {}

  /** A device's acknowledgement, with the topic it came on. */
  record Ack(String topic, String wireId, AckStatus status, String detail, Instant now)
      implements DispatchEvent {}

  /** No final ack for an attempt within the ack timeout. */
  record AckTimeout(String wireId, Instant now) implements DispatchEvent {}

  /** A coordinator cancels the run. */
  record CancelRequested(Instant now) implements DispatchEvent {}
}
