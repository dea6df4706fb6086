package io.citybrain.mqtt;

/**
 * The broker could not be reached or refused the connection; the message says which broker and why.
 */
public final class MqttConnectException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MqttConnectException(String message, Throwable cause) {
    super(message, cause);
  }
}
