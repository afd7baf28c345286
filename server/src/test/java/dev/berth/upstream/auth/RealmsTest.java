package dev.berth.upstream.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RealmsTest {
  @ParameterizedTest(name = "{0} -> {1}: {2}")
  @CsvSource({
    "registry-1.docker.io, auth.docker.io, true",
    "ghcr.io, ghcr.io, true",
    "quay.io, quay.io, true",
    "registry.example.com, auth.example.com, true",
    "registry.example.co.uk, auth.example.co.uk, true",
    "us-docker.pkg.dev, us-docker.pkg.dev, true",
    "127.0.0.1, 127.0.0.1, true",
    "localhost, localhost, true",
    "[::1], ::1, true",
    "registry.example.com, example.com.evil.net, false",
    "registry.example.com, evil.com, false",
    "x.appspot.com, evil.appspot.com, false",
    "gcr.io, accounts.google.com, false",
    "127.0.0.1, localhost, false",
    "localhost, 127.0.0.1, false",
    "127.0.0.1, 127.0.0.2, false",
    "registry.example.com, '', false",
  })
  void aRealmMayReceiveCredentialsOnlyWithinTheUpstreamsDomain(
      String endpoint, String realm, boolean allowed) {
    assertThat(Realms.mayReceive(endpoint, realm, List.of())).isEqualTo(allowed);
  }

  @ParameterizedTest
  @CsvSource({"gcr.io, accounts.google.com", "127.0.0.1, localhost"})
  void aRealmListedForTheUpstreamMayReceiveThem(String endpoint, String realm) {
    assertThat(Realms.mayReceive(endpoint, realm, List.of(realm))).isTrue();
    assertThat(Realms.mayReceive(endpoint, realm, List.of("other.example"))).isFalse();
  }
}
