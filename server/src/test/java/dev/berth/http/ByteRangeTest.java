package dev.berth.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.errors.OciError;
import dev.berth.errors.RegistryException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteRangeTest {
  @ParameterizedTest
  @CsvSource({
    "bytes=0-0, 0, 1",
    "bytes=0-99, 0, 100",
    "bytes=10-, 10, 1000",
    "bytes=-100, 900, 1000",
    "bytes=-5000, 0, 1000",
    "bytes=500-5000, 500, 1000",
  })
  void resolvesAgainstTheSize(String header, long start, long end) {
    ByteRange r = ByteRange.parse(header, 1000).orElseThrow();
    assertThat(r).isEqualTo(new ByteRange(start, end));
    assertThat(r.contentRange(1000)).isEqualTo("bytes " + start + "-" + (end - 1) + "/1000");
  }

  @ParameterizedTest
  @ValueSource(strings = {"bytes=1000-", "bytes=2000-3000", "bytes=5-4"})
  void beyondTheContentIsUnsatisfiable(String header) {
    assertThatThrownBy(() -> ByteRange.parse(header, 1000))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> assertThat(e.error()).isEqualTo(OciError.RANGE_NOT_SATISFIABLE));
  }

  @ParameterizedTest
  @ValueSource(strings = {"bytes=0-1,5-6", "items=0-1", "bytes=-", "garbage"})
  void otherFormsServeTheWholeContent(String header) {
    assertThat(ByteRange.parse(header, 1000)).isEmpty();
  }
}
