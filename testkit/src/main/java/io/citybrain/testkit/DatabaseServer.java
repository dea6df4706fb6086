package io.citybrain.testkit;

/** A PostgreSQL server on which tests create their own databases. */
interface DatabaseServer extends AutoCloseable {

  /** A JDBC URL (credentials included) for a database on this server. */
  String jdbcUrl(String database);

  /** The database to connect to for CREATE/DROP DATABASE. */
  default String adminJdbcUrl() {
    return jdbcUrl("postgres");
  }

  /** Where the server comes from, for logs. */
  String describe();

  @Override
  default void close() {}
}
