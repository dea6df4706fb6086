package io.citybrain.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Locks the v1 topic tree as {@link WireContractCompatibilityTest} locks the fields: every class's
 * pattern is recorded in {@code topics-v1.txt}, and every topic parses back to what built it.
 */
class TopicsTest {

  @Test
  @DisplayName("every message class builds exactly the topic the published tree records")
  void topicsAreStable() throws IOException {
    Map<String, String> published = published();
    Map<String, String> current = new LinkedHashMap<>();
    for (MessageClass c : MessageClass.values()) {
      current.put(c.name(), pattern(c));
    }
    assertThat(current).isEqualTo(published);
  }

  @Test
  @DisplayName("a built topic parses back to its class, district and id")
  void roundTrip() {
    for (MessageClass c : MessageClass.values()) {
      String topic =
          c == MessageClass.CITY_LIVE
              ? Topics.cityLive()
              : c.perSource() ? Topics.of(c, "FT", "FT-SEN-0001") : Topics.of(c, "FT");
      Topics.Address a = Topics.parse(topic).orElseThrow();
      assertThat(a.messageClass()).as(topic).isEqualTo(c);
      assertThat(a.district()).as(topic).isEqualTo(c == MessageClass.CITY_LIVE ? "city" : "FT");
      assertThat(a.sourceId()).as(topic).isEqualTo(c.perSource() ? "FT-SEN-0001" : null);
    }
  }

  @Test
  @DisplayName("filters match a class in one district or in all of them")
  void filters() {
    assertThat(Topics.filter(MessageClass.READING, "FT")).isEqualTo("city/v1/FT/reading/+");
    assertThat(Topics.filter(MessageClass.ACK, Topics.ANY)).isEqualTo("city/v1/+/ack/+");
    assertThat(Topics.filter(MessageClass.LIVE, Topics.ANY)).isEqualTo("city/v1/+/live");
    assertThat(Topics.filter(MessageClass.CITY_LIVE, Topics.ANY)).isEqualTo("city/v1/city/live");
  }

  @Test
  @DisplayName("topics outside the tree, of the wrong shape or with empty segments do not parse")
  void notTopics() {
    for (String topic :
        new String[] {
          "city/v2/FT/reading/x",
          "city/v1/FT/reading",
          "city/v1/FT/reading/x/y",
          "city/v1//reading/x",
          "city/v1/FT/reading/",
          "city/v1/FT/weather/x",
          "city/v1/FT/live/x",
          "city/v1/city/reading/x",
          "city/v1/city/alert",
          "x/v1/FT/reading/x",
          ""
        }) {
      assertThat(Topics.parse(topic)).as(topic).isEmpty();
    }
  }

  @Test
  @DisplayName(
      "no segment can change a topic's shape: wildcards, separators, NUL and 'city' refused")
  void segmentsAreChecked() {
    for (String bad : new String[] {"", "a/b", "+", "#", "a\0b", null}) {
      assertThatThrownBy(() -> Topics.reading("FT", bad))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> Topics.live(bad)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> Topics.alert("city")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Topics.of(MessageClass.LIVE, "FT", "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static String pattern(MessageClass c) {
    if (c == MessageClass.CITY_LIVE) {
      return Topics.cityLive();
    }
    return c.perSource() ? Topics.of(c, "{district}", "{id}") : Topics.of(c, "{district}");
  }

  private static Map<String, String> published() throws IOException {
    try (InputStream in = TopicsTest.class.getResourceAsStream("/topics-v1.txt")) {
      assertThat(in).as("topics-v1.txt on the test classpath").isNotNull();
      Map<String, String> lines = new LinkedHashMap<>();
      new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .map(String::strip)
          .filter(line -> !line.isEmpty() && !line.startsWith("#"))
          .forEach(line -> lines.put(line.split(" ")[0], line.split(" ")[1]));
      return lines;
    }
  }
}
