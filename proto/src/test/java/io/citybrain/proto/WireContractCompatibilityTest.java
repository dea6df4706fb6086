package io.citybrain.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.DescriptorProto.ReservedRange;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import io.citybrain.proto.v1.Command;
import io.citybrain.proto.v1.Incident;
import io.citybrain.proto.v1.Reading;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Locks the v1 wire contract: every field in {@code contract-v1.txt} keeps its number, name and
 * type, or its number is reserved. Adding a field means adding its line to the file; nothing else
 * in the file may change.
 */
class WireContractCompatibilityTest {

  private static final List<FileDescriptor> FILES =
      List.of(
          Reading.getDescriptor().getFile(),
          Command.getDescriptor().getFile(),
          Incident.getDescriptor().getFile());

  @Test
  @DisplayName(
      "no field of the published contract was renumbered, retyped or dropped without being reserved")
  void publishedFieldsAreStable() throws IOException {
    Map<String, Descriptor> messages = new LinkedHashMap<>();
    FILES.forEach(file -> collect(file.getMessageTypes(), messages));
    Map<String, String> current = currentFields(messages);

    List<String> violations = new ArrayList<>();
    for (String line : publishedContract()) {
      String[] parts = line.split(" ");
      String messageAndNumber = parts[0];
      String expected = parts[1] + " " + parts[2];
      String actual = current.get(messageAndNumber);
      if (actual == null) {
        String message = messageAndNumber.substring(0, messageAndNumber.lastIndexOf('.'));
        int number =
            Integer.parseInt(messageAndNumber.substring(messageAndNumber.lastIndexOf('.') + 1));
        if (!messages.containsKey(message)
            || !isReserved(messages.get(message).toProto(), number)) {
          violations.add(line + ": removed without `reserved " + number + ";`");
        }
      } else if (!actual.equals(expected)) {
        violations.add(line + ": now " + actual);
      }
    }
    assertThat(violations).as("breaking changes to citybrain.v1").isEmpty();
  }

  @Test
  @DisplayName("every current field is recorded in the contract file, so the lock covers it")
  void everyFieldIsRecorded() throws IOException {
    Map<String, Descriptor> messages = new LinkedHashMap<>();
    FILES.forEach(file -> collect(file.getMessageTypes(), messages));
    List<String> published = publishedContract();
    List<String> unrecorded = new ArrayList<>();
    currentFields(messages)
        .forEach(
            (key, value) -> {
              if (!published.contains(key + " " + value)) {
                unrecorded.add(key + " " + value);
              }
            });
    assertThat(unrecorded)
        .as("add these lines to proto/src/test/resources/contract-v1.txt")
        .isEmpty();
  }

  private static void collect(List<Descriptor> types, Map<String, Descriptor> into) {
    for (Descriptor type : types) {
      if (type.getOptions().getMapEntry()) {
        continue;
      }
      into.put(type.getFullName(), type);
      collect(type.getNestedTypes(), into);
    }
  }

  private static Map<String, String> currentFields(Map<String, Descriptor> messages) {
    Map<String, String> fields = new LinkedHashMap<>();
    messages
        .values()
        .forEach(
            message -> {
              for (FieldDescriptor field : message.getFields()) {
                fields.put(
                    message.getFullName() + "." + field.getNumber(),
                    field.getName() + " " + typeOf(field));
              }
            });
    return fields;
  }

  private static String typeOf(FieldDescriptor field) {
    String base =
        switch (field.getJavaType()) {
          case MESSAGE ->
              field.isMapField()
                  ? "map<"
                      + field.getMessageType().getFields().get(0).getType().name().toLowerCase()
                      + ","
                      + field.getMessageType().getFields().get(1).getType().name().toLowerCase()
                      + ">"
                  : field.getMessageType().getFullName();
          case ENUM -> field.getEnumType().getFullName();
          default -> field.getType().name().toLowerCase();
        };
    return field.isRepeated() && !field.isMapField() ? "repeated:" + base : base;
  }

  private static boolean isReserved(DescriptorProto message, int number) {
    for (ReservedRange range : message.getReservedRangeList()) {
      if (number >= range.getStart() && number < range.getEnd()) {
        return true;
      }
    }
    return false;
  }

  private static List<String> publishedContract() throws IOException {
    try (InputStream in =
        WireContractCompatibilityTest.class.getResourceAsStream("/contract-v1.txt")) {
      assertThat(in).as("contract-v1.txt on the test classpath").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .map(String::strip)
          .filter(line -> !line.isEmpty() && !line.startsWith("#"))
          .toList();
    }
  }
}
