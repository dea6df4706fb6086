package io.citybrain.api.http;

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
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The document's words for states and severities are the vocabularies' (proto), in order. */
class ApiDocumentTest {
  private final JsonObject document = new JsonObject(ApiDocument.yamlToJson(resource()));
  private final JsonObject schemas = document.getJsonObject("components").getJsonObject("schemas");

  @Test
  @DisplayName(
      "case, run, command, incident, task and alert states, alert handling and severities match proto's words")
  void vocabularies() {
    assertThat(words("CaseState")).containsExactlyElementsOf(Word.words(CaseState.class));
    assertThat(words("RunState")).containsExactlyElementsOf(Word.words(RunState.class));
    assertThat(words("CommandState")).containsExactlyElementsOf(Word.words(CommandState.class));
    assertThat(words("Severity")).containsExactlyElementsOf(Severities.WORDS);
    assertThat(words("IncidentState")).containsExactlyElementsOf(Word.words(IncidentState.class));
    assertThat(words("TaskState")).containsExactlyElementsOf(Word.words(TaskState.class));
    assertThat(words("AlertHandling")).containsExactlyElementsOf(Word.words(AlertHandling.class));
    // Query parameters spell their enum out (the router wants a type there, not a $ref).
    assertThat(queryEnum("/api/v1/alerts", "handling"))
        .containsExactlyElementsOf(Word.words(AlertHandling.class));
    assertThat(queryEnum("/api/v1/incidents", "state"))
        .containsExactlyElementsOf(Word.words(IncidentState.class));
    assertThat(
            schemas
                .getJsonObject("Alert")
                .getJsonObject("properties")
                .getJsonObject("state")
                .getJsonArray("enum"))
        .containsExactlyElementsOf(AlertStates.WORDS);
  }

  private List<Object> queryEnum(String path, String parameter) {
    for (Object p :
        document
            .getJsonObject("paths")
            .getJsonObject(path)
            .getJsonObject("get")
            .getJsonArray("parameters")) {
      JsonObject param = (JsonObject) p;
      if (parameter.equals(param.getString("name"))) {
        return param.getJsonObject("schema").getJsonArray("enum").getList();
      }
    }
    throw new AssertionError(path + " has no parameter " + parameter);
  }

  private List<Object> words(String schema) {
    return schemas.getJsonObject(schema).getJsonArray("enum").getList();
  }

  private static String resource() {
    try (InputStream in = ApiDocument.class.getResourceAsStream(ApiDocument.RESOURCE)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
