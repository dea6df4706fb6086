package io.citybrain.testkit;

import io.citybrain.embedded.EmbeddedDatabase;

/** An embedded PostgreSQL (zonky) started for this test JVM. */
final class EmbeddedDatabaseServer implements DatabaseServer {
  private final EmbeddedDatabase database = EmbeddedDatabase.start();

  @Override
  public String jdbcUrl(String name) {
    return database.jdbcUrl(name);
  }

  @Override
  public String describe() {
    return "embedded PostgreSQL on port " + database.port();
  }

  @Override
  public void close() {
    database.close();
  }
}
