package io.citybrain.api.response;

import static io.citybrain.api.http.Access.requires;

import io.citybrain.api.auth.AuditTrail;
import io.citybrain.api.http.Access;
import io.citybrain.api.http.ApiException;
import io.citybrain.api.http.Caller;
import io.citybrain.api.http.Operations;
import io.citybrain.api.http.Params;
import io.citybrain.api.http.Replies;
import io.citybrain.api.http.Role;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.DeviceKind;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A coordinator's one command to one device of their districts: an action the device's kind
 * accepts, with string params like a plan's; answered with the run that carries it.
 */
public final class DeviceCommandRoutes {
  private static final Pattern PARAM_NAME = Pattern.compile("[a-z][a-z0-9_]{0,39}");
  private static final int MAX_PARAMS = 16;
  private static final int MAX_VALUE = 500;

  private final CitySeeds seeds;
  private final DeviceCommands commands;
  private final ResponseDispatcher dispatcher;

  public DeviceCommandRoutes(
      CitySeeds seeds, DeviceCommands commands, ResponseDispatcher dispatcher) {
    this.seeds = seeds;
    this.commands = commands;
    this.dispatcher = dispatcher;
  }

  public void mount(Operations ops) {
    ops.get("sendDeviceCommand").addHandler(requires(Role.COORDINATOR)).addHandler(this::send);
  }

  private void send(RoutingContext ctx) {
    Caller caller = Access.caller(ctx);
    String deviceId = ctx.pathParam("deviceId");
    ctx.put(AuditTrail.TARGET, deviceId);
    JsonObject body = Params.body(ctx);
    String action = body.getString("action");
    Map<String, String> params = params(body.getJsonObject("params"));
    String hash = RequestHash.of(body.copy().put("device_id", deviceId));
    commands
        .device(deviceId)
        .map(found -> found.orElseThrow(() -> ApiException.notFound("device", deviceId)))
        .map(
            device -> {
              caller.requireDistrict(device.district());
              DeviceKind kind = seeds.deviceKind(device.kind()).orElse(null);
              if (kind == null || kind.commands().isEmpty()) {
                throw ApiException.badRequest(
                    "action", "device " + deviceId + " (" + device.kind() + ") takes no commands");
              }
              if (!kind.commands().contains(action)) {
                throw ApiException.badRequest(
                    "action",
                    "device kind "
                        + kind.id()
                        + " does not accept '"
                        + action
                        + "' (accepts: "
                        + String.join(", ", kind.commands())
                        + ")");
              }
              return new DeviceCommands.Send(
                  caller.name(), body.getString("request_id"), hash, device, action, params);
            })
        .compose(commands::start)
        .compose(
            started -> {
              if (started.plan() != null) {
                dispatcher.start(started.plan());
              }
              return commands
                  .run(started.runId())
                  .map(run -> run.orElseThrow().put("created", started.created()));
            })
        .onSuccess(run -> Replies.json(ctx, run.getBoolean("created") ? 201 : 200, run))
        .onFailure(ctx::fail);
  }

  /** Params as a plan's: names to strings; 400 naming what is wrong otherwise. */
  private static Map<String, String> params(JsonObject params) {
    Map<String, String> out = new LinkedHashMap<>();
    if (params == null) {
      return out;
    }
    if (params.size() > MAX_PARAMS) {
      throw ApiException.badRequest("params", "at most " + MAX_PARAMS + " params");
    }
    for (Map.Entry<String, Object> e : params) {
      if (!PARAM_NAME.matcher(e.getKey()).matches()) {
        throw ApiException.badRequest(
            "params", "param name '" + e.getKey() + "' must match " + PARAM_NAME.pattern());
      }
      if (!(e.getValue() instanceof String value)) {
        throw ApiException.badRequest(
            "params." + e.getKey(), "must be a string, like a plan's params");
      }
      if (value.length() > MAX_VALUE) {
        throw ApiException.badRequest(
            "params." + e.getKey(), "at most " + MAX_VALUE + " characters");
      }
      out.put(e.getKey(), value);
    }
    return out;
  }
}
