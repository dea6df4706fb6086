package io.citybrain.api;

import com.google.protobuf.InvalidProtocolBufferException;
import io.citybrain.access.Principal;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.PahoConnection;
import io.citybrain.proto.MessageClass;
import io.citybrain.proto.Topics;
import io.citybrain.proto.v1.Command;
import io.citybrain.proto.v1.CommandAck;
import io.citybrain.testkit.TestServices;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every command and ack of one district as the broker carries them, read as the broker's
 * administrator (commands are nobody else's to read but their devices').
 */
final class CommandObserver implements AutoCloseable {
  final List<Command> commands = new CopyOnWriteArrayList<>();
  final List<CommandAck> acks = new CopyOnWriteArrayList<>();
  private final MqttConnection connection;

  CommandObserver(TestServices services, String district) {
    connection =
        PahoConnection.connect(
            MqttSettings.builder(services.mqttUrl(), services.uniqueId("observer"))
                .login(services.login(Principal.brokerAdmin()))
                .build());
    connection.subscribe(
        Topics.filter(MessageClass.COMMAND, district),
        1,
        (topic, payload) -> commands.add(parse(Command::parseFrom, payload)));
    connection.subscribe(
        Topics.filter(MessageClass.ACK, district),
        1,
        (topic, payload) -> acks.add(parse(CommandAck::parseFrom, payload)));
  }

  @Override
  public void close() {
    connection.close();
  }

  private interface Parser<T> {
    T parse(byte[] bytes) throws InvalidProtocolBufferException;
  }

  private static <T> T parse(Parser<T> parser, byte[] payload) {
    try {
      return parser.parse(payload);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }
}
