package io.citybrain.simulators;

import io.citybrain.seeds.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;

/**
 * Reads a duration flag with {@link Durations#parse} (500ms, 10s, 5m, 2h, PT30S). Named on each
 * option ({@code converter = DurationConverter.class}) rather than registered on one command line,
 * so that a {@link SimCommand} parsed by any {@code CommandLine} (tests build their own) reads its
 * defaults and flags the same way.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    return Durations.parse(value);
  }
}
