package dev.berth.upstream.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChallengeTest {
  @Test
  void parsesDockerHubsBearerChallenge() {
    Challenge c =
        Challenge.parse(
                "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                    + "scope=\"repository:library/alpine:pull\"")
            .orElseThrow();
    assertThat(c.isBearer()).isTrue();
    assertThat(c.realm()).isEqualTo("https://auth.docker.io/token");
    assertThat(c.service()).isEqualTo("registry.docker.io");
    assertThat(c.params()).containsEntry("scope", "repository:library/alpine:pull");
  }

  @Test
  void parsesBasicAndRejectsBlank() {
    assertThat(Challenge.parse("Basic realm=\"Registry\"").orElseThrow().isBearer()).isFalse();
    assertThat(Challenge.parse("  ")).isEmpty();
    assertThat(Challenge.parse(null)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"60, 54", "3600, 3570", "300, 270", "3, 2.7", "10, 9"})
  void tokensAreRetiredBeforeTheyExpire(double lifetime, double usable) {
    Duration life = Duration.ofMillis((long) (lifetime * 1000));
    assertThat(TokenCache.usableFor(life)).isEqualTo(Duration.ofMillis((long) (usable * 1000)));
  }
}
