package io.citybrain.simulators;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.citybrain.access.Installation;
import io.citybrain.proto.v1.CameraEvent;
import io.citybrain.proto.v1.GatewayBatch;
import io.citybrain.proto.v1.Heartbeat;
import io.citybrain.proto.v1.Reading;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;

/**
 * Builds run configurations from command-line flags, and generates or decodes messages, for the
 * simulator's tests.
 */
final class SimFixture {
  static final long ORIGIN_MS = 1_790_000_000_000L;

  private SimFixture() {}

  /**
   * An installation of the tests that need a configuration but no broker: its fleet folder is what
   * {@link #config} passes as {@code --credentials} unless the flags name one.
   */
  static final Path FLEET = provision().resolve(Installation.FLEET);

  private static Path provision() {
    try {
      Path dir = Files.createTempDirectory("citybrain-sim-test");
      Installation.generate(dir.resolve("installation"));
      return dir.resolve("installation");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static SimConfig config(String... args) {
    List<String> flags = new ArrayList<>(Arrays.asList(args));
    if (!flags.contains("--credentials")) {
      flags.addAll(List.of("--credentials", FLEET.toString()));
    }
    SimCommand command = new SimCommand();
    new CommandLine(command).parseArgs(flags.toArray(String[]::new));
    return command.config();
  }

  /**
   * The first {@code count} publishes of a run with these flags, with event time 0 at {@link
   * #ORIGIN_MS}.
   */
  static List<Outgoing> generate(int count, String... args) {
    SimConfig config = config(args);
    TelemetryGenerator generator = SimRun.generator(config, new SimFleet(config), () -> ORIGIN_MS);
    List<Outgoing> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(generator.next());
    }
    return out;
  }

  /** Decodes a publish by the class in its topic; batches are returned whole. */
  static Message decode(String topic, byte[] payload) throws InvalidProtocolBufferException {
    String messageClass = topic.split("/")[3];
    return switch (messageClass) {
      case "reading" -> Reading.parseFrom(payload);
      case "camera" -> CameraEvent.parseFrom(payload);
      case "heartbeat" -> Heartbeat.parseFrom(payload);
      case "batch" -> GatewayBatch.parseFrom(payload);
      default -> throw new IllegalArgumentException("unexpected topic " + topic);
    };
  }

  /** (device id, seq, event time) of a decoded upstream message. */
  static Object[] identity(Message m) {
    if (m instanceof Reading r) {
      return new Object[] {r.getDeviceId(), r.getSeq(), r.getEventTimeMs()};
    }
    if (m instanceof CameraEvent c) {
      return new Object[] {c.getCameraId(), c.getSeq(), c.getEventTimeMs()};
    }
    Heartbeat h = (Heartbeat) m;
    return new Object[] {h.getDeviceId(), h.getSeq(), h.getEventTimeMs()};
  }
}
