package io.citybrain.stream;

import io.citybrain.seeds.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;

/** A duration flag read as people write them (10s, 500ms, PT30S), on whichever command line. */
public final class DurationFlag implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    return Durations.parse(value);
  }
}
