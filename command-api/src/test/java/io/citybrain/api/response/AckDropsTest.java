package io.citybrain.api.response;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.citybrain.settings.LogThrottle;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class AckDropsTest {
  private final AtomicLong nanos = new AtomicLong();
  private final AckDrops drops =
      new AckDrops(new LogThrottle(LogThrottle.EVERY_TEN_SECONDS, nanos::get));
  private final Logger logger = (Logger) LoggerFactory.getLogger(AckDrops.class);
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

  @BeforeEach
  void capture() {
    lines.start();
    logger.addAppender(lines);
  }

  @AfterEach
  void release() {
    logger.detachAppender(lines);
  }

  private List<String> messages() {
    return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void aDeviceFloodingItsAckTopicWithJunkWritesOneLineEveryTenSeconds() {
    String topic = "city/v1/FT/ack/FT-WL-0001\n12:00:00 INFO forged";
    for (int i = 0; i < 1000; i++) {
      drops.undecodable(topic);
      drops.oversized(topic, 5000);
    }
    assertThat(messages())
        .containsExactly(
            "undecodable ack on 'city/v1/FT/ack/FT-WL-0001\\u000a12:00:00 INFO forged'",
            "ack of 5000 bytes on 'city/v1/FT/ack/FT-WL-0001\\u000a12:00:00 INFO forged'"
                + " dropped unread");
    nanos.addAndGet(Duration.ofSeconds(10).toNanos());
    drops.undecodable("city/v1/FT/ack/FT-WL-0001");
    assertThat(messages())
        .hasSize(3)
        .last()
        .isEqualTo("undecodable ack on 'city/v1/FT/ack/FT-WL-0001'; 999 more since the last line");
  }
}
