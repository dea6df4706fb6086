package io.citybrain.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.settings.InvalidSettingException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A pool's arguments are checked before any connection is tried. */
class DataSourcesTest {

  @Test
  @DisplayName("a URL that is not PostgreSQL's fails in the shared wording, its password masked")
  void badArguments() {
    assertThatThrownBy(() -> DataSources.pooled("postgres://db/x?password=s3cret", "p", 2))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessage(
            "database URL must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db), "
                + "was 'postgres://db/x?password=***'");
    assertThatThrownBy(() -> DataSources.pooled("jdbc:postgresql://db/x", " ", 2))
        .hasMessage("pool name is required (e.g. citybrain-api)");
    assertThatThrownBy(() -> DataSources.pooled("jdbc:postgresql://db/x", "p", 0))
        .hasMessage("pool size must be at least 1, was 0");
  }

  @Test
  @DisplayName("the runtime role's URL keeps the owner's database and options, not its login")
  void withLogin() {
    assertThat(
            DataSources.withLogin(
                "jdbc:postgresql://db:5432/city?user=owner&password=owner-s3cret&sslmode=require",
                "citybrain_app",
                "a&b=c"))
        .isEqualTo(
            "jdbc:postgresql://db:5432/city?sslmode=require&user=citybrain_app&password=a%26b%3Dc");
    assertThat(DataSources.withLogin("jdbc:postgresql://db/city", "r", "p"))
        .isEqualTo("jdbc:postgresql://db/city?user=r&password=p");
  }
}
