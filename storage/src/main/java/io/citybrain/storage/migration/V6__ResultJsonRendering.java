package io.citybrain.storage.migration;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.citybrain.proto.ResultJson;
import io.citybrain.proto.v1.CitySummary;
import io.citybrain.proto.v1.DistrictSnapshot;
import io.citybrain.proto.v1.Evidence;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Rewrites results stored in protobuf's own JSON (camelCase, 64-bit numbers as strings, defaults
 * left out) in {@link ResultJson}'s rendering, the one the API serves from the live topics: the
 * latest district and city pictures and every incident's evidence. Rows already rendered are left
 * alone, so the migration can meet a database the new job has written to.
 */
public class V6__ResultJsonRendering extends BaseJavaMigration {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFormat.Parser PROTO_JSON = JsonFormat.parser().ignoringUnknownFields();

  @Override
  public void migrate(Context context) throws Exception {
    Connection c = context.getConnection();
    rewrite(
        c,
        "SELECT district, snapshot::text FROM district_snapshot WHERE NOT snapshot ? 'window_end'",
        "UPDATE district_snapshot SET snapshot = ?::jsonb WHERE district = ?",
        json -> ResultJson.snapshot(parse(json, DistrictSnapshot.newBuilder())));
    rewrite(
        c,
        "SELECT id::text, summary::text FROM city_summary WHERE NOT summary ? 'window_end'",
        "UPDATE city_summary SET summary = ?::jsonb WHERE id = ?::smallint",
        json -> ResultJson.citySummary(parse(json, CitySummary.newBuilder())));
    rewrite(
        c,
        """
        SELECT incident_id, evidence::text FROM incident
        WHERE jsonb_path_exists(evidence, '$[*] ? (exists(@.eventTimeMs) || exists(@.deviceId))')""",
        "UPDATE incident SET evidence = ?::jsonb WHERE incident_id = ?",
        V6__ResultJsonRendering::evidence);
  }

  private static void rewrite(
      Connection c, String select, String update, Function<String, Object> render)
      throws SQLException {
    List<String[]> rows = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(select)) {
      while (rs.next()) {
        rows.add(new String[] {rs.getString(1), rs.getString(2)});
      }
    }
    try (PreparedStatement ps = c.prepareStatement(update)) {
      for (String[] row : rows) {
        ps.setString(1, ResultJson.encode(render.apply(row[1])));
        ps.setString(2, row[0]);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static Object evidence(String json) {
    List<Evidence> items = new ArrayList<>();
    try {
      for (JsonNode item : JSON.readTree(json)) {
        items.add(parse(item.toString(), Evidence.newBuilder()));
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored evidence is not JSON: " + json, e);
    }
    return ResultJson.evidence(items);
  }

  @SuppressWarnings("unchecked")
  private static <M extends Message> M parse(String json, Message.Builder builder) {
    try {
      PROTO_JSON.merge(json, builder);
      return (M) builder.build();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a stored result is not protobuf JSON: " + json, e);
    }
  }
}
