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

  @Test
  void quotedValuesKeepCommasAndEscapedQuotes() {
    Challenge c =
        Challenge.parse(
                "Bearer realm=\"https://auth.example/token\", "
                    + "scope=\"repository:a:pull repository:b:pull,push\", "
                    + "error=\"insufficient_scope\", note=\"say \\\"hi\\\", twice\"")
            .orElseThrow();
    assertThat(c.params())
        .containsEntry("scope", "repository:a:pull repository:b:pull,push")
        .containsEntry("note", "say \"hi\", twice");
    assertThat(c.error()).isEqualTo("insufficient_scope");
  }

  @Test
  void severalChallengesInOneHeaderPreferBearer() {
    String header =
        "Basic realm=\"registry, with comma\", Bearer realm=\"https://a/token\",service=s, "
            + "Negotiate";
    assertThat(Challenge.parseAll(header))
        .extracting(Challenge::scheme)
        .containsExactly("basic", "bearer", "negotiate");
    Challenge chosen = Challenge.parse(header).orElseThrow();
    assertThat(chosen.isBearer()).isTrue();
    assertThat(chosen.realm()).isEqualTo("https://a/token");
    assertThat(chosen.service()).isEqualTo("s");
    assertThat(Challenge.parseAll(header).get(0).realm()).isEqualTo("registry, with comma");
  }

  @Test
  void missingFieldsAreEmptyNotErrors() {
    Challenge bare = Challenge.parse("Bearer").orElseThrow();
    assertThat(bare.realm()).isEmpty();
    assertThat(bare.service()).isEmpty();
    assertThat(bare.error()).isEmpty();
    Challenge unquoted = Challenge.parse("bearer realm=https://x/token").orElseThrow();
    assertThat(unquoted.realm()).isEqualTo("https://x/token");
    assertThat(Challenge.parse("Bearer realm=\"unterminated").orElseThrow().realm())
        .isEqualTo("unterminated");
  }

  @ParameterizedTest
  @CsvSource({"60, 54", "3600, 3570", "300, 270", "3, 2.7", "10, 9"})
  void tokensAreRetiredBeforeTheyExpire(double lifetime, double usable) {
    Duration life = Duration.ofMillis((long) (lifetime * 1000));
    assertThat(TokenCache.usableFor(life)).isEqualTo(Duration.ofMillis((long) (usable * 1000)));
  }
}
