package io.citybrain.simulators;

import io.citybrain.access.BrokerLogin;
import io.citybrain.access.FleetCredentials;
import io.citybrain.access.Principal;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.ReplayWindow;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.Fleet;
import io.citybrain.seeds.Scenario;
import io.citybrain.seeds.SeedSource;
import io.citybrain.settings.Check;
import io.citybrain.settings.Described;
import io.citybrain.settings.Description;
import io.citybrain.settings.InvalidSettingException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Everything one simulator run needs: the city (seeds and expanded fleet), how to reach the broker,
 * and how to play. An immutable value built by {@link #builder} and validated there: a bad setting
 * fails with an {@link InvalidSettingException} in domain words ({@code speed must be a positive
 * number, was 0.0}), which {@link SimCommand} restates as its flag.
 *
 * <p>{@code speed}: simulated time runs that many times faster than the wall clock (devices keep
 * their intervals in simulated time); {@code startEpochMs}: the event time simulated time 0 maps to
 * (null: the start of the run). {@code duration} null runs until stopped; {@code maxMessages} 0 has
 * no limit; {@code districts} empty means every district; {@code scenario} may be null.
 */
public final class SimConfig implements Described {
  public static final int DEFAULT_QOS = 1;
  public static final int DEFAULT_CONNECTIONS = 4;
  public static final int MAX_CONNECTIONS = 256;
  public static final long DEFAULT_SEED = 1;
  public static final double DEFAULT_DAY_HOUR = 9;
  public static final double DEFAULT_SPEED = 1.0;
  public static final String DEFAULT_CLIENT_ID_PREFIX = "citybrain-sim";

  /** Whom the simulator's connections log in as. */
  public enum ConnectAs {
    /**
     * Each district's IoT gateway ({@code <D>-GW-IOT}), {@code connections} times, carrying only
     * that district's devices; camera batches go over their video-analytics gateway's own login.
     */
    GATEWAYS,
    /** One connection per device, with the device's own login (batches: their gateway's). */
    DEVICES
  }

  private final SeedSource seedSource;
  private final CitySeeds seeds;
  private final Fleet fleet;
  private final MqttSettings mqtt;
  private final FleetCredentials credentials;
  private final ConnectAs connectAs;
  private final int qos;
  private final int connections;
  private final Rate rate;
  private final double speed;
  private final Long startEpochMs;
  private final Duration duration;
  private final long maxMessages;
  private final long seed;
  private final Set<String> districts;
  private final ShardSpec shard;
  private final Scenario scenario;
  private final FaultPlan faults;
  private final int gatewayBatch;
  private final double startHour;
  private final boolean telemetry;
  private final ActuatorSettings actuators;
  private final Duration replayWindow;

  private SimConfig(Builder b) {
    seedSource = Objects.requireNonNull(b.seedSource, "seed source");
    seeds = Objects.requireNonNull(b.seeds, "seeds");
    fleet = Objects.requireNonNull(b.fleet, "fleet");
    mqtt = Objects.requireNonNull(b.mqtt, "MQTT settings");
    connectAs = Objects.requireNonNull(b.connectAs, "connect as");
    rate = Objects.requireNonNull(b.rate, "rate");
    speed = Check.positive(b.speed, "speed");
    Check.require(
        speed == 1.0 || rate.mode() == Rate.Mode.REALTIME,
        "speed",
        "needs the realtime pace: it excludes rate " + rate);
    qos = b.qos;
    Check.require(qos == 0 || qos == 1, "QoS", "must be 0 or 1, was " + qos);
    connections = Check.within(b.connections, 1, MAX_CONNECTIONS, "connections");
    Check.notNegative(b.gatewayBatch, "gateway batch");
    gatewayBatch = b.gatewayBatch;
    startHour = b.startHour;
    Check.require(
        startHour >= 0 && startHour < 24, "day hour", "must be within 0..24, was " + startHour);
    duration = b.duration == null ? null : Check.positive(b.duration, "duration");
    maxMessages = Check.notNegative(b.maxMessages, "max messages");
    replayWindow = Check.notNegative(b.replayWindow, "replay window");
    districts = Set.copyOf(b.districts);
    for (String district : districts) {
      Check.require(
          seeds.district(district).isPresent(),
          "districts",
          "names an unknown district '"
              + district
              + "' (known: "
              + String.join(", ", seeds.districtCodes())
              + ")");
    }
    shard = Objects.requireNonNull(b.shard, "shard");
    scenario = b.scenario;
    faults = Objects.requireNonNull(b.faults, "faults");
    ActuatorSettings given = Objects.requireNonNull(b.actuators, "actuators");
    // The actuators verify commands and sign acks with the same fleet credentials the run logs in
    // with, unless their settings name others.
    actuators =
        given.fleet() == null && b.credentials != null ? given.withFleet(b.credentials) : given;
    seed = b.seed;
    telemetry = b.telemetry;
    startEpochMs = b.startEpochMs;
    // Last: a run's own settings are told first, the login once they are right.
    Check.require(
        b.credentials != null,
        "credentials",
        "are missing: the broker refuses anonymous clients; give the installation's fleet/"
            + " folder (citybrain provision --out DIR makes one)");
    credentials = b.credentials;
  }

  /**
   * A run of this city's fleet against this broker, with the defaults above until a builder method
   * says otherwise. {@code mqtt}'s client id is the prefix of the run's connections' ids.
   */
  public static Builder builder(CitySeeds seeds, Fleet fleet, MqttSettings mqtt) {
    return new Builder(seeds, fleet, mqtt);
  }

  /**
   * True when the device belongs to this run: its district is selected and its fleet position is in
   * the shard.
   */
  boolean selects(String district, int fleetOrdinal) {
    return (districts.isEmpty() || districts.contains(district)) && shard.owns(fleetOrdinal);
  }

  /**
   * The settings of one connection: the broker's, with this run's own client id ({@code
   * PREFIX-{shard}of{n}-{name}}, unique per connection and shard) and the principal's login.
   */
  MqttSettings connection(String name, Principal principal) {
    return mqtt.toBuilder()
        .clientId(mqtt.clientId() + "-" + shard.index() + "of" + shard.count() + "-" + name)
        .login(BrokerLogin.of(credentials, principal))
        .build();
  }

  @Override
  public Description describe() {
    return new Description("sim")
        .add("seeds", seedSource.describe())
        .add("scale", fleet.scale())
        .add("fleet seed", fleet.seed())
        // Each connection logs in as its own principal: the description names whom.
        .include(
            mqtt.withLogin(
                connectAs == ConnectAs.GATEWAYS ? "<D>-GW-IOT" : "<device id>", "(derived)"))
        .add("credentials", credentials.folder())
        .add("connect as", connectAs.name().toLowerCase(Locale.ROOT))
        .add("QoS", qos)
        .add("connections", connections)
        .add("rate", rate)
        .add("speed", speed)
        .add("start time", startEpochMs == null ? "now" : Instant.ofEpochMilli(startEpochMs))
        .add("duration", duration == null ? "until stopped" : duration)
        .add("max messages", maxMessages == 0 ? "no limit" : maxMessages)
        .add("seed", seed)
        .add(
            "districts",
            districts.isEmpty() ? "all" : String.join(",", districts.stream().sorted().toList()))
        .add("shard", shard)
        .add("scenario", scenario == null ? "none" : scenario.id())
        .add("gateway batch", gatewayBatch == 0 ? "off" : gatewayBatch)
        .add("day hour", startHour)
        .add("telemetry", onOff(telemetry))
        .add("faults", faults)
        .add(
            "replay window",
            replayWindow.isZero() || qos == 0 ? "off" : replayWindow + " after each reconnect")
        .include(actuators);
  }

  private static String onOff(boolean on) {
    return on ? "on" : "off";
  }

  public CitySeeds seeds() {
    return seeds;
  }

  public Fleet fleet() {
    return fleet;
  }

  /** The broker, and the client id that prefixes every connection's. */
  public MqttSettings mqtt() {
    return mqtt;
  }

  /** The fleet's credentials: every connection logs in as a gateway or a device. */
  public FleetCredentials credentials() {
    return credentials;
  }

  public ConnectAs connectAs() {
    return connectAs;
  }

  public int qos() {
    return qos;
  }

  /** Connections per district gateway (when connecting as gateways). */
  public int connections() {
    return connections;
  }

  public Rate rate() {
    return rate;
  }

  public double speed() {
    return speed;
  }

  public Long startEpochMs() {
    return startEpochMs;
  }

  public Duration duration() {
    return duration;
  }

  public long maxMessages() {
    return maxMessages;
  }

  /**
   * How much of its QoS 1 telemetry each connection sends again after a reconnect (zero: none):
   * what a crashed broker acknowledged but had not saved.
   */
  public Duration replayWindow() {
    return replayWindow;
  }

  public long seed() {
    return seed;
  }

  public Set<String> districts() {
    return districts;
  }

  public ShardSpec shard() {
    return shard;
  }

  public Scenario scenario() {
    return scenario;
  }

  public FaultPlan faults() {
    return faults;
  }

  public int gatewayBatch() {
    return gatewayBatch;
  }

  public double startHour() {
    return startHour;
  }

  public boolean telemetry() {
    return telemetry;
  }

  public ActuatorSettings actuators() {
    return actuators;
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT, "SimConfig[%,d devices, rate %s, %s]", fleet.size(), rate, mqtt);
  }

  /** Collects the settings of a run; {@link #build} validates them all. */
  public static final class Builder {
    private SeedSource seedSource = SeedSource.classpath();
    private final CitySeeds seeds;
    private final Fleet fleet;
    private final MqttSettings mqtt;
    private FleetCredentials credentials;
    private ConnectAs connectAs = ConnectAs.GATEWAYS;
    private int qos = DEFAULT_QOS;
    private int connections = DEFAULT_CONNECTIONS;
    private Rate rate = Rate.REALTIME;
    private double speed = DEFAULT_SPEED;
    private Long startEpochMs;
    private Duration duration;
    private long maxMessages;
    private Duration replayWindow = ReplayWindow.DEFAULT_AGE;
    private long seed = DEFAULT_SEED;
    private Set<String> districts = Set.of();
    private ShardSpec shard = ShardSpec.ALL;
    private Scenario scenario;
    private FaultPlan faults = FaultPlan.NONE;
    private int gatewayBatch;
    private double startHour = DEFAULT_DAY_HOUR;
    private boolean telemetry = true;
    private ActuatorSettings actuators = ActuatorSettings.DEFAULT;

    private Builder(CitySeeds seeds, Fleet fleet, MqttSettings mqtt) {
      this.seeds = seeds;
      this.fleet = fleet;
      this.mqtt = mqtt;
    }

    /** Where the seeds came from, as the description names it (default: the shipped ones). */
    public Builder seedSource(SeedSource value) {
      seedSource = value;
      return this;
    }

    /** The fleet's credentials (required: the brokers refuse anonymous clients). */
    public Builder credentials(FleetCredentials value) {
      credentials = value;
      return this;
    }

    public Builder connectAs(ConnectAs value) {
      connectAs = value;
      return this;
    }

    public Builder qos(int value) {
      qos = value;
      return this;
    }

    public Builder connections(int value) {
      connections = value;
      return this;
    }

    public Builder rate(Rate value) {
      rate = value;
      return this;
    }

    public Builder speed(double value) {
      speed = value;
      return this;
    }

    /** The event time of the run's start; null (the default) for the wall clock at the start. */
    public Builder startEpochMs(Long value) {
      startEpochMs = value;
      return this;
    }

    /** How long to run; null (the default) until stopped. */
    public Builder duration(Duration value) {
      duration = value;
      return this;
    }

    /** Stop after this many messages; 0 (the default) for no limit. */
    public Builder maxMessages(long value) {
      maxMessages = value;
      return this;
    }

    /** Telemetry sent again after a reconnect; {@link ReplayWindow#DEFAULT_AGE}, zero for off. */
    public Builder replayWindow(Duration value) {
      replayWindow = value;
      return this;
    }

    public Builder seed(long value) {
      seed = value;
      return this;
    }

    /** Only these districts; empty (the default) for all. */
    public Builder districts(Set<String> value) {
      districts = value;
      return this;
    }

    public Builder shard(ShardSpec value) {
      shard = value;
      return this;
    }

    /** A scenario to play, or null (the default) for none. */
    public Builder scenario(Scenario value) {
      scenario = value;
      return this;
    }

    public Builder faults(FaultPlan value) {
      faults = value;
      return this;
    }

    /** Cameras report through their gateway in batches of this size; 0 (the default) for off. */
    public Builder gatewayBatch(int value) {
      gatewayBatch = value;
      return this;
    }

    /** The simulated hour of day at the start, in [0, 24). */
    public Builder startHour(double value) {
      startHour = value;
      return this;
    }

    public Builder telemetry(boolean value) {
      telemetry = value;
      return this;
    }

    public Builder actuators(ActuatorSettings value) {
      actuators = value;
      return this;
    }

    /** The run's configuration; fails with an {@link InvalidSettingException} naming a setting. */
    public SimConfig build() {
      return new SimConfig(this);
    }
  }
}
