package io.citybrain.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ReadScopeTest {
  private static final Caller CITY = new Caller("viewer", Role.VIEWER, Set.of());
  private static final Caller DP = new Caller("coord-dp", Role.COORDINATOR, Set.of("DP"));

  @Test
  @DisplayName("A city-wide caller reads everything; a scoped one its districts, 403 for another")
  void scope() {
    assertThat(ReadScope.of(CITY).cityWide()).isTrue();
    assertThat(ReadScope.of(CITY, "NS").districts()).containsExactly("NS");
    assertThat(ReadScope.of(DP).districts()).containsExactly("DP");
    assertThat(ReadScope.of(DP, "DP").covers("NS")).isFalse();
    assertThatThrownBy(() -> ReadScope.of(DP, "NS"))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(403));
  }

  @Test
  @DisplayName(
      "The SQL condition binds the districts as one array parameter, or nothing for the city")
  void sql() {
    List<Object> params = new ArrayList<>();
    assertThat(ReadScope.CITY.condition("district", params)).isEqualTo("true");
    assertThat(params).isEmpty();
    assertThat(ReadScope.of(DP).condition("d.district", params))
        .isEqualTo("true AND d.district = ANY(?)");
    assertThat(params).hasSize(1);
    assertThat((String[]) params.get(0)).containsExactly("DP");
  }
}
