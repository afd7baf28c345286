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
    assertThat(UpstreamFailure.retryAfter("120")).isEqualTo(Duration.ofMinutes(2));
    assertThat(UpstreamFailure.retryAfter(" 0 ")).isEqualTo(Duration.ZERO);
    String inAMinute =
        ZonedDateTime.now(ZoneOffset.UTC)
            .plusSeconds(61)
            .format(DateTimeFormatter.RFC_1123_DATE_TIME);
    assertThat(UpstreamFailure.retryAfter(inAMinute))
        .isBetween(Duration.ofSeconds(50), Duration.ofSeconds(61));
    assertThat(UpstreamFailure.retryAfter("Mon, 01 Jan 2024 00:00:00 GMT"))
        .isEqualTo(Duration.ZERO);
  }

  @Test
  void absentOrUnreadableIsNull() {
    assertThat(UpstreamFailure.retryAfter(null)).isNull();
    assertThat(UpstreamFailure.retryAfter("")).isNull();
    assertThat(UpstreamFailure.retryAfter("soon")).isNull();
  }
}
