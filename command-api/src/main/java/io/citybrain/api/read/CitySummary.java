package io.citybrain.api.read;

import io.citybrain.api.http.ReadScope;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.District;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.function.Function;

/**
 * The city on one key, put together on the event loop from the summary's rows and the live
 * snapshots: every district's index and online rate, open alerts and incidents, the case rates.
 */
final class CitySummary {
  private final CitySeeds seeds;
  private final Function<String, JsonObject> liveSnapshot;

  /**
   * @param liveSnapshot the latest snapshot the live hub holds for a district, or null
   */
  CitySummary(CitySeeds seeds, Function<String, JsonObject> liveSnapshot) {
    this.seeds = seeds;
    this.liveSnapshot = liveSnapshot;
  }

  /** The live topic's snapshot when one has arrived since start, else the stored one. */
  JsonObject snapshotOf(String code, JsonObject stored) {
    JsonObject live = liveSnapshot.apply(code);
    return live != null ? live : stored.getJsonObject(code);
  }

  /** A district as the read side shows it, with its snapshot (null before the first). */
  static JsonObject describe(District d, JsonObject snapshot) {
    return new JsonObject()
        .put("code", d.code())
        .put("name_zh", d.nameZh())
        .put("name_en", d.nameEn())
        .put("lat", d.lat())
        .put("lon", d.lon())
        .put("area_km2", d.areaKm2())
        .put("population", d.population())
        .put("snapshot", snapshot);
  }

  /** The summary of the districts in the scope; the rows' alerts and incidents are scoped. */
  JsonObject of(JsonObject raw, Instant now, ReadScope scope) {
    JsonObject stored = raw.getJsonObject("stored");
    JsonObject counts = raw.getJsonObject("counts");
    JsonArray districts = new JsonArray();
    double indexSum = 0;
    int indexed = 0;
    long online = 0;
    long total = 0;
    long openAlerts = 0;
    long openIncidents = 0;
    for (District d : seeds.districts()) {
      if (!scope.covers(d.code())) {
        continue;
      }
      JsonObject snapshot = snapshotOf(d.code(), stored);
      JsonObject devices =
          counts.getJsonObject("devices").getJsonObject(d.code(), new JsonObject());
      long dOnline =
          snapshot != null ? snapshot.getLong("devices_online", 0L) : devices.getLong("online", 0L);
      long dTotal =
          snapshot != null ? snapshot.getLong("devices_total", 0L) : devices.getLong("total", 0L);
      long alerts = counts.getJsonObject("alerts").getLong(d.code(), 0L);
      long incidents = counts.getJsonObject("incidents").getLong(d.code(), 0L);
      Double index = snapshot == null ? null : snapshot.getDouble("situation_index");
      if (index != null) {
        indexSum += index;
        indexed++;
      }
      online += dOnline;
      total += dTotal;
      openAlerts += alerts;
      openIncidents += incidents;
      districts.add(
          new JsonObject()
              .put("code", d.code())
              .put("name_en", d.nameEn())
              .put("name_zh", d.nameZh())
              .put("situation_index", index)
              .put("online_rate", dTotal == 0 ? null : (double) dOnline / dTotal)
              .put("open_alerts", alerts)
              .put("open_incidents", incidents)
              .put("window_end", snapshot == null ? null : snapshot.getString("window_end")));
    }
    JsonObject cases = raw.getJsonObject("cases");
    return new JsonObject()
        .put("generated_at", now.toString())
        .put(
            "city",
            new JsonObject()
                .put("situation_index", indexed == 0 ? null : indexSum / indexed)
                .put("online_rate", total == 0 ? null : (double) online / total)
                .put("devices_online", online)
                .put("devices_total", total)
                .put("open_alerts", openAlerts)
                .put("open_incidents", openIncidents))
        .put("districts", districts)
        .put("top_alerts", raw.getJsonArray("top_alerts"))
        .put("open_incidents", raw.getJsonArray("open_incidents"))
        .put(
            "cases",
            new JsonObject()
                .put("total", cases == null ? 0L : cases.getLong("total"))
                .put("resolved", cases == null ? 0L : cases.getLong("resolved"))
                .put("resolution_rate", cases == null ? null : cases.getDouble("resolution_rate"))
                .put("sla_compliance", cases == null ? null : cases.getDouble("sla_compliance")));
  }
}
