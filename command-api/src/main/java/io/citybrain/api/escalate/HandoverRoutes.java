package io.citybrain.api.escalate;

import static io.citybrain.api.http.Access.requires;

import io.citybrain.api.http.Access;
import io.citybrain.api.http.Operations;
import io.citybrain.api.http.Params;
import io.citybrain.api.http.ReadScope;
import io.citybrain.api.http.Replies;
import io.citybrain.api.http.Role;
import io.citybrain.seeds.CitySeeds;
import java.util.List;

/**
 * {@code GET /handover?district&limit} (viewer+): the shift handover per district of the caller's
 * scope; naming a district outside it is 403, an unknown one 400.
 */
public final class HandoverRoutes {
  private final CitySeeds seeds;
  private final HandoverStore store;

  public HandoverRoutes(CitySeeds seeds, HandoverStore store) {
    this.seeds = seeds;
    this.store = store;
  }

  public void mount(Operations ops) {
    ops.get("getHandover")
        .addHandler(requires(Role.VIEWER))
        .addHandler(
            ctx -> {
              ReadScope scope =
                  ReadScope.of(
                      Access.caller(ctx),
                      Params.district(seeds, "district", Params.query(ctx, "district")));
              List<String> districts =
                  seeds.districtCodes().stream().filter(scope::covers).toList();
              Replies.reply(
                  ctx, store.handover(scope, districts, Params.integer(ctx, "limit", 20)));
            });
  }
}
