package io.citybrain.settings;

/**
 * A validated, immutable configuration value: built once (its builder's {@code build()} validates
 * and fails with an {@link InvalidSettingException}), and described once at start.
 */
public interface Described {
  /** Every setting with its value, secrets masked. */
  Description describe();
}
