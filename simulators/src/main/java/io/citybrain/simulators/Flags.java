package io.citybrain.simulators;

import io.citybrain.settings.InvalidSettingException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The flags a command line gives its settings. Configurations say what is wrong in domain words
 * ({@code speed must be a positive number, was 0.0}); the command line restates that for the flag
 * the user typed ({@code --speed must be ...}), as a picocli {@link ParameterException}: exit code
 * 2 and {@code (see --help)}.
 */
public final class Flags {
  private final Map<String, String> bySetting;

  private Flags(Map<String, String> bySetting) {
    this.bySetting = Map.copyOf(bySetting);
  }

  /** Setting names and their flags, in pairs: {@code of("speed", "--speed", "QoS", "--qos")}. */
  public static Flags of(String... settingThenFlag) {
    if (settingThenFlag.length % 2 != 0) {
      throw new IllegalArgumentException("settings and flags come in pairs");
    }
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < settingThenFlag.length; i += 2) {
      map.put(settingThenFlag[i], settingThenFlag[i + 1]);
    }
    return new Flags(map);
  }

  /** These flags and more. */
  public Flags and(Flags more) {
    Map<String, String> map = new LinkedHashMap<>(bySetting);
    map.putAll(more.bySetting);
    return new Flags(map);
  }

  /** The flag of a setting; a setting no flag sets keeps its own name. */
  public String flagOf(String setting) {
    return bySetting.getOrDefault(setting, setting);
  }

  /** The settings that have a flag. */
  public Set<String> settings() {
    return bySetting.keySet();
  }

  /** The problem restated for the setting's flag, as picocli reports bad flags. */
  public ParameterException restate(CommandLine commandLine, InvalidSettingException e) {
    return new ParameterException(commandLine, e.restatedFor(this::flagOf), e);
  }
}
