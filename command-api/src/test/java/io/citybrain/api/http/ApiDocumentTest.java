package io.citybrain.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.proto.AlertStates;
import io.citybrain.proto.CaseState;
import io.citybrain.proto.CommandState;
import io.citybrain.proto.IncidentState;
import io.citybrain.proto.RunState;
import io.citybrain.proto.Severities;
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
  private final JsonObject schemas =
      new JsonObject(ApiDocument.yamlToJson(resource()))
          .getJsonObject("components")
          .getJsonObject("schemas");

  @Test
  @DisplayName("case, run, command, incident and alert states and severities match proto's words")
  void vocabularies() {
    assertThat(words("CaseState")).containsExactlyElementsOf(Word.words(CaseState.class));
    assertThat(words("RunState")).containsExactlyElementsOf(Word.words(RunState.class));
    assertThat(words("CommandState")).containsExactlyElementsOf(Word.words(CommandState.class));
    assertThat(words("Severity")).containsExactlyElementsOf(Severities.WORDS);
    assertThat(
            schemas
                .getJsonObject("Incident")
                .getJsonObject("properties")
                .getJsonObject("state")
                .getJsonArray("enum"))
        .containsExactlyElementsOf(Word.words(IncidentState.class));
    assertThat(
            schemas
                .getJsonObject("Alert")
                .getJsonObject("properties")
                .getJsonObject("state")
                .getJsonArray("enum"))
        .containsExactlyElementsOf(AlertStates.WORDS);
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
