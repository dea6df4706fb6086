package io.citybrain.settings;

import java.util.function.UnaryOperator;

/**
 * A setting that failed validation, in domain words ({@code speed must be a positive number, was
 * 0.0}); a command line names its own flag for the setting with {@link #restatedFor}.
 */
public final class InvalidSettingException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final String setting;
  private final String problem;

  /**
   * @param setting the setting's name as its configuration calls it, e.g. {@code speed}
   * @param problem what is wrong, to follow the name, e.g. {@code must be positive, was -1}
   */
  public InvalidSettingException(String setting, String problem) {
    super(setting + " " + problem);
    this.setting = setting;
    this.problem = problem;
  }

  public String setting() {
    return setting;
  }

  public String problem() {
    return problem;
  }

  /** The same problem under the name a caller gives the setting, e.g. its flag {@code --speed}. */
  public String restatedFor(UnaryOperator<String> nameOfSetting) {
    return nameOfSetting.apply(setting) + " " + problem;
  }
}
