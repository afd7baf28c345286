package dev.berth.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
  @Test
  void secondsAndHttpDatesAreRead() {
    assertThat(UpstreamClient.retryAfter("120")).isEqualTo(Duration.ofMinutes(2));
    assertThat(UpstreamClient.retryAfter(" 0 ")).isEqualTo(Duration.ZERO);
    String inAMinute =
        ZonedDateTime.now(ZoneOffset.UTC)
            .plusSeconds(61)
            .format(DateTimeFormatter.RFC_1123_DATE_TIME);
    assertThat(UpstreamClient.retryAfter(inAMinute))
        .isBetween(Duration.ofSeconds(50), Duration.ofSeconds(61));
    assertThat(UpstreamClient.retryAfter("Mon, 01 Jan 2024 00:00:00 GMT")).isEqualTo(Duration.ZERO);
  }

  @Test
  void absentOrUnreadableIsNull() {
    assertThat(UpstreamClient.retryAfter(null)).isNull();
    assertThat(UpstreamClient.retryAfter("")).isNull();
    assertThat(UpstreamClient.retryAfter("soon")).isNull();
  }
}
