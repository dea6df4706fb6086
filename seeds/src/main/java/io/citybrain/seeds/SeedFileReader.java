package io.citybrain.seeds;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Reads YAML seed files into records, turning every parse or type error into a problem with file
 * and key.
 */
final class SeedFileReader {
  private final ObjectMapper mapper =
      YAMLMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .build();
  private final SeedSource source;
  private final SeedProblems problems;

  SeedFileReader(SeedSource source, SeedProblems problems) {
    this.source = source;
    this.problems = problems;
  }

  /** The file's root node, or null (with a problem recorded) when it is missing or not YAML. */
  JsonNode root(String file) {
    try (InputStream in = source.open(file)) {
      if (in == null) {
        problems.add(file, "(file)", "missing from " + source.describe());
        return null;
      }
      JsonNode root = mapper.readTree(in);
      if (root == null || !root.isObject()) {
        problems.add(file, "(file)", "must be a YAML mapping at the top level");
        return null;
      }
      return root;
    } catch (JsonProcessingException e) {
      problems.add(
          file,
          "(file)",
          "not valid YAML: "
              + e.getOriginalMessage()
              + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()));
      return null;
    } catch (IOException e) {
      problems.add(file, "(file)", "cannot be read: " + e.getMessage());
      return null;
    }
  }

  /**
   * The elements of a top-level list, each bound to {@code type}; elements that do not bind are
   * reported and left out.
   */
  <T> List<T> list(String file, JsonNode root, String key, Class<T> type) {
    List<T> items = new ArrayList<>();
    if (root == null) {
      return items;
    }
    JsonNode list = root.get(key);
    if (list == null || !list.isArray()) {
      problems.add(file, key, list == null ? "is required" : "must be a list");
      return items;
    }
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) == null || list.get(i).isNull() || !list.get(i).isObject()) {
        problems.add(
            file,
            key + "[" + i + "]",
            "must be a mapping, was "
                + (list.get(i) == null
                    ? "empty"
                    : list.get(i).getNodeType().name().toLowerCase(Locale.ROOT)));
        continue;
      }
      T item = bind(file, elementKey(key, list.get(i), i), list.get(i), type);
      if (item != null) {
        items.add(item);
      }
    }
    return items;
  }

  /** The whole file bound to {@code type}, or null with a problem recorded. */
  <T> T value(String file, JsonNode root, Class<T> type) {
    return root == null ? null : bind(file, "", root, type);
  }

  /**
   * Records a problem for every top-level key of the file that is not one of {@code allowed}: a
   * typo loses data.
   */
  void onlyKeys(String file, JsonNode root, String... allowed) {
    if (root == null) {
      return;
    }
    List<String> known = List.of(allowed);
    root.fieldNames()
        .forEachRemaining(
            name -> {
              if (!known.contains(name)) {
                problems.add(file, name, "unknown key (allowed: " + String.join(", ", known) + ")");
              }
            });
  }

  /** One node bound to {@code type}, or null with a problem recorded. */
  <T> T bind(String file, String key, JsonNode node, Class<T> type) {
    try {
      return mapper.treeToValue(node, type);
    } catch (UnrecognizedPropertyException e) {
      problems.add(
          file,
          trimKey(key + pathOf(e)),
          "unknown key (allowed: "
              + e.getKnownPropertyIds().stream()
                  .map(Object::toString)
                  .sorted()
                  .collect(Collectors.joining(", "))
              + ")");
    } catch (JsonMappingException e) {
      problems.add(
          file,
          trimKey(key + pathOf(e)),
          e.getOriginalMessage().lines().findFirst().orElse("invalid value"));
    } catch (JsonProcessingException e) {
      problems.add(file, key, e.getOriginalMessage());
    }
    return null;
  }

  /**
   * A list element's key: by its id or code when it has one ({@code districts[DP]}), else by index.
   */
  static String elementKey(String listKey, JsonNode element, int index) {
    for (String idField : List.of("id", "code")) {
      JsonNode id = element == null ? null : element.get(idField);
      if (id != null && id.isValueNode()) {
        return listKey + "[" + id.asText() + "]";
      }
    }
    return listKey + "[" + index + "]";
  }

  private static String trimKey(String key) {
    return key.startsWith(".") ? key.substring(1) : key.isEmpty() ? "(file)" : key;
  }

  private static String pathOf(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        path.append('.').append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.toString();
  }
}
