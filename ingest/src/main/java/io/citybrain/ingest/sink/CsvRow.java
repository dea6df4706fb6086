package io.citybrain.ingest.sink;

import java.time.Instant;

/**
 * Builds CSV lines for PostgreSQL COPY: text fields quoted (quotes doubled), absent values as empty
 * (NULL).
 */
final class CsvRow {
  private final StringBuilder out;
  private boolean first = true;

  CsvRow(StringBuilder out) {
    this.out = out;
  }

  CsvRow text(String value) {
    separator();
    if (value != null) {
      out.append('"').append(value.replace("\"", "\"\"")).append('"');
    }
    return this;
  }

  CsvRow number(long value) {
    separator();
    out.append(value);
    return this;
  }

  CsvRow number(double value) {
    separator();
    out.append(value);
    return this;
  }

  CsvRow nullableNumber(Double value) {
    separator();
    if (value != null) {
      out.append(value.doubleValue());
    }
    return this;
  }

  CsvRow bool(boolean value) {
    separator();
    out.append(value ? 't' : 'f');
    return this;
  }

  /** Epoch milliseconds as an ISO-8601 instant, which timestamptz reads exactly. */
  CsvRow time(long epochMs) {
    separator();
    out.append(Instant.ofEpochMilli(epochMs));
    return this;
  }

  void end() {
    out.append('\n');
    first = true;
  }

  private void separator() {
    if (!first) {
      out.append(',');
    }
    first = false;
  }
}
