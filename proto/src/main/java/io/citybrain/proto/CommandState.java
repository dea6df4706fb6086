package io.citybrain.proto;

import io.citybrain.proto.v1.AckStatus;

/** Where one command to one device stands, as the API tracks it (table {@code command}). */
public enum CommandState implements Word {
  PENDING,
  SENT,
  ACCEPTED,
  DONE,
  FAILED,
  REJECTED,
  TIMED_OUT,
  CANCELLED,
  /** A cancel command went to the device; its answer says what the device did. */
  CANCELLING;

  /** The state a device's acknowledgement reports, or null for an unspecified status. */
  public static CommandState of(AckStatus status) {
    return switch (status) {
      case ACK_STATUS_ACCEPTED -> ACCEPTED;
      case ACK_STATUS_DONE -> DONE;
      case ACK_STATUS_REJECTED -> REJECTED;
      case ACK_STATUS_FAILED -> FAILED;
      default -> null;
    };
  }
}
