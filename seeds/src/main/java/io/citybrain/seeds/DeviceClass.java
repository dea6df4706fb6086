package io.citybrain.seeds;

/**
 * What a device does on the wire: publishes readings, publishes camera events, or takes commands.
 */
public enum DeviceClass {
  SENSOR,
  CAMERA,
  ACTUATOR
}
