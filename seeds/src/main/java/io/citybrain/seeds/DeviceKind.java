package io.citybrain.seeds;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import java.util.List;

/**
 * A kind of device in the fleet template: its id code, class, reporting interval, placement,
 * metrics or commands.
 */
public record DeviceKind(
    String id,
    String code,
    @JsonProperty("class") DeviceClass deviceClass,
    Integer intervalS,
    Placement placement,
    Integer clusters,
    Integer gatewaySize,
    List<String> metrics,
    List<String> commands)
    implements Serializable {

  public DeviceKind {
    metrics = metrics == null ? List.of() : List.copyOf(metrics);
    commands = commands == null ? List.of() : List.copyOf(commands);
  }
}
