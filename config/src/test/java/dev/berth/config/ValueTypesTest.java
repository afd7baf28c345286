package dev.berth.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ValueTypesTest {
  @ParameterizedTest
  @CsvSource({
    "*.gcr.io, eu.gcr.io, true",
    "*.gcr.io, gcr.io, false",
    "*.gcr.io, a.b.gcr.io, false",
    "*-docker.pkg.dev, us-central1-docker.pkg.dev, true",
    "*-docker.pkg.dev, docker.pkg.dev, false",
    "ghcr.io, GHCR.io, true",
    "ghcr.io, ghcr.io.evil.com, false",
    "127.0.0.1:5001, 127.0.0.1:5001, true",
    // Only DNS label characters: anything else would change the URL built from the host.
    "*.gcr.io, x@localhost#.gcr.io, false",
    "*.gcr.io, localhost?.gcr.io, false",
    "*.gcr.io, metadata#.gcr.io, false",
    "*.gcr.io, localhost%.gcr.io, false",
    "*.gcr.io, a_b.gcr.io, false",
    "*-docker.pkg.dev, localhost#-docker.pkg.dev, false",
    "*-docker.pkg.dev, x@localhost-docker.pkg.dev, false",
  })
  void hostPatternsMatchOneLabel(String pattern, String host, boolean matches) {
    assertThat(HostPattern.of(pattern).matches(host)).isEqualTo(matches);
  }

  @ParameterizedTest
  @CsvSource({"0, 0", "512, 512", "1KiB, 1024", "100MiB, 104857600", "2GB, 2000000000"})
  void sizesParse(String text, long bytes) {
    assertThat(ByteSize.of(text).bytes()).isEqualTo(bytes);
    assertThat(ByteSize.of(ByteSize.of(text).toString()).bytes()).isEqualTo(bytes);
  }

  @ParameterizedTest
  @CsvSource({"500ms, 500", "30s, 30000", "10m, 600000", "2h, 7200000", "7d, 604800000"})
  void durationsRoundTrip(String text, long millis) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    assertThat(Durations.format(Durations.parse(text))).isEqualTo(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"htp:/x", "ftp://x.io", "http://", "x.io", "http://x.io/v2"})
  void endpointsMustBeHttpUrlsWithoutPath(String text) {
    assertThatThrownBy(() -> Endpoint.of(text)).isInstanceOf(InvalidValueException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1:5001", "https://registry-1.docker.io/"})
  void endpointsAccepted(String text) {
    assertThat(Endpoint.of(text).uri().getHost()).isNotNull();
  }
}
