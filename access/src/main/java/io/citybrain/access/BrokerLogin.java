package io.citybrain.access;

import java.io.Serializable;
import java.util.Objects;

/**
 * A principal's MQTT username and password; serializable so a Flink job can carry it to its tasks,
 * and never printed (its {@link #toString} masks the password).
 */
public record BrokerLogin(String username, String password) implements Serializable {
  public BrokerLogin {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
  }

  /** The login of a principal of this installation. */
  public static BrokerLogin of(Installation installation, Principal p) {
    return new BrokerLogin(p.name(), installation.password(p));
  }

  /** The login of a device or gateway, from the fleet's credentials. */
  public static BrokerLogin of(FleetCredentials fleet, Principal p) {
    return new BrokerLogin(p.name(), fleet.password(p));
  }

  @Override
  public String toString() {
    return "BrokerLogin[" + username + ", password not shown]";
  }
}
