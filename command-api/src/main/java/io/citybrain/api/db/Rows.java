package io.citybrain.api.db;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Result rows as JSON: column names as keys, timestamps as ISO-8601 strings, jsonb as JSON. */
public final class Rows {
  private Rows() {}

  public static List<JsonObject> all(ResultSet rs) throws SQLException {
    List<JsonObject> rows = new ArrayList<>();
    while (rs.next()) {
      rows.add(one(rs));
    }
    return rows;
  }

  public static JsonObject one(ResultSet rs) throws SQLException {
    ResultSetMetaData meta = rs.getMetaData();
    JsonObject row = new JsonObject();
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      String name = meta.getColumnLabel(i);
      Object value = rs.getObject(i);
      if (value == null) {
        row.putNull(name);
      } else if (value instanceof Timestamp ts) {
        row.put(name, ts.toInstant().toString());
      } else if (value instanceof Array array) {
        JsonArray items = new JsonArray();
        for (Object item : (Object[]) array.getArray()) {
          items.add(item);
        }
        row.put(name, items);
      } else if ("jsonb".equals(meta.getColumnTypeName(i))
          || "json".equals(meta.getColumnTypeName(i))) {
        String text = value.toString();
        row.put(name, text.startsWith("[") ? new JsonArray(text) : new JsonObject(text));
      } else if (meta.getColumnType(i) == Types.NUMERIC) {
        row.put(name, ((BigDecimal) value).doubleValue());
      } else if (value instanceof Short s) {
        row.put(name, s.intValue());
      } else {
        row.put(name, value);
      }
    }
    return row;
  }

  /** Binds parameters in order. */
  public static PreparedStatement bind(PreparedStatement ps, Object... params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      Object param = params[i];
      ps.setObject(i + 1, param instanceof Instant at ? Timestamp.from(at) : param);
    }
    return ps;
  }
}
