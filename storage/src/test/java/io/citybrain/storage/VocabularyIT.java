package io.citybrain.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.proto.AlertHandling;
import io.citybrain.proto.AlertStates;
import io.citybrain.proto.CaseState;
import io.citybrain.proto.CommandState;
import io.citybrain.proto.IncidentState;
import io.citybrain.proto.RunState;
import io.citybrain.proto.Severities;
import io.citybrain.proto.TaskState;
import io.citybrain.proto.Word;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The vocabularies in {@code proto} and the database's CHECK constraints name the same words, so
 * neither can gain a state the other refuses.
 */
@ExtendWith(CityServicesExtension.class)
class VocabularyIT {
  private static DataSource db;

  @BeforeAll
  static void migrate(TestServices services) {
    db = services.dataSource();
    Schema.migrate(db);
  }

  @Test
  @DisplayName(
      "severities, alert states and handling, incident, run, command, task and case states match the schema")
  void wordsMatchConstraints() throws SQLException {
    assertThat(allowed("alert", "severity")).isEqualTo(Severities.WORDS);
    assertThat(allowed("incident", "severity")).isEqualTo(Severities.WORDS);
    assertThat(allowed("alert", "state")).isEqualTo(AlertStates.WORDS);
    assertThat(allowed("alert", "handling")).isEqualTo(Word.words(AlertHandling.class));
    assertThat(allowed("incident", "state")).isEqualTo(Word.words(IncidentState.class));
    assertThat(allowed("plan_run", "state")).isEqualTo(Word.words(RunState.class));
    assertThat(allowed("command", "state")).isEqualTo(Word.words(CommandState.class));
    assertThat(allowed("department_task", "state")).isEqualTo(Word.words(TaskState.class));
    assertThat(allowed("grid_case", "state")).isEqualTo(Word.words(CaseState.class));
  }

  @Test
  @DisplayName("the SQL severity rank orders as the words do")
  void severityRank() throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT s FROM unnest(?::text[]) AS s ORDER BY "
                    + Severities.sqlRank("s")
                    + " DESC")) {
      ps.setArray(1, c.createArrayOf("text", Severities.WORDS.toArray()));
      List<String> ordered = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ordered.add(rs.getString(1));
        }
      }
      assertThat(ordered).containsExactly("critical", "high", "medium", "low");
    }
  }

  /** The words of {@code column IN (...)} in the table's CHECK constraint, in their order. */
  private static List<String> allowed(String table, String column) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                    + "WHERE conrelid = ?::regclass AND contype = 'c'")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String def = rs.getString(1);
          if (def.matches("(?s)CHECK \\(\\(?" + column + " = ANY .*")) {
            List<String> words = new ArrayList<>();
            Matcher m = Pattern.compile("'([a-z_]+)'::text").matcher(def);
            while (m.find()) {
              words.add(m.group(1));
            }
            return words;
          }
        }
      }
    }
    throw new AssertionError("no CHECK on " + table + "." + column);
  }
}
