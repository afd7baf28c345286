package dev.berth.upstream.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.Server;
import dev.berth.config.BerthConfig;
import dev.berth.config.CredentialsConfig;
import dev.berth.config.Secret;
import dev.berth.config.UpstreamConfig;
import dev.berth.errors.UpstreamException;
import dev.berth.metrics.BerthMetrics;
import dev.berth.upstream.UpstreamCall;
import dev.berth.upstream.Upstreams;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {
  private static final Credential ALICE = new Credential("alice", "pw-1", false);

  private static CredentialSource fixed(Credential c) {
    return new CredentialSource() {
      @Override
      public Optional<Supplied> get() {
        return Optional.of(new Supplied(c, "test"));
      }

      @Override
      public String describe() {
        return "test";
      }
    };
  }

  private static Authenticator authenticator(CredentialSource source) {
    return new Authenticator(
        "reg.example",
        java.util.List.of(),
        source,
        WebClient.of(),
        ForkJoinPool.commonPool(),
        new BerthMetrics());
  }

  @Test
  void credentialsAreNotSentToAPlainHttpRealmOfAnHttpsRegistry() {
    Authenticator auth = authenticator(fixed(ALICE));
    URI endpoint = URI.create("https://reg.example");
    assertThat(
            auth.onUnauthorized(
                endpoint,
                Authenticator.Authorization.NONE,
                "Bearer realm=\"http://reg.example/token\",service=reg"))
        .isTrue();
    assertThat(auth.authorization(endpoint, "repository:a:pull"))
        .failsWithin(java.time.Duration.ofSeconds(5))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause()
        .isInstanceOf(UpstreamException.class)
        .withMessageContaining("not https");
  }

  @Test
  void nothingIsSentBeforeAChallengeNorToAnotherEndpoint() {
    Authenticator auth = authenticator(fixed(ALICE));
    URI endpoint = URI.create("http://127.0.0.1:1");
    assertThat(auth.authorization(endpoint, "repository:a:pull").join().header()).isEmpty();
    auth.onUnauthorized(endpoint, Authenticator.Authorization.NONE, "Basic realm=\"r\"");
    assertThat(auth.authorization(endpoint, "repository:a:pull").join().header())
        .contains(ALICE.basic());
    assertThat(
            auth.authorization(URI.create("http://127.0.0.1:2"), "repository:a:pull")
                .join()
                .header())
        .isEmpty();
  }

  @Test
  void basicChallengeOfARegistryIsAnsweredWithTheConfiguredCredentials() {
    List<String> seen = new CopyOnWriteArrayList<>();
    Server registry =
        Server.builder()
            .http(0)
            .service(
                "/v2/app/manifests/1",
                (ctx, req) -> {
                  String auth = req.headers().get("authorization", "");
                  seen.add(auth);
                  return auth.equals(ALICE.basic())
                      ? HttpResponse.of(HttpStatus.OK)
                      : HttpResponse.of(
                          ResponseHeaders.of(
                              HttpStatus.UNAUTHORIZED, "www-authenticate", "Basic realm=\"r\""));
                })
            .build();
    registry.start().join();
    UpstreamConfig config =
        UpstreamConfig.of("reg.example", "http://127.0.0.1:" + registry.activeLocalPort())
            .withCredentials(
                new CredentialsConfig(
                    CredentialsConfig.Source.INLINE,
                    "alice",
                    Secret.of("pw-1"),
                    null,
                    null,
                    null,
                    null));
    BerthConfig berth =
        new BerthConfig(
            null,
            null,
            null,
            null,
            null,
            "reg.example",
            null,
            List.of(config),
            null,
            null,
            null,
            null,
            false,
            null);
    try (Upstreams upstreams =
        new Upstreams(berth, new BerthMetrics(), ForkJoinPool.commonPool(), Map.of())) {
      UpstreamCall call =
          UpstreamCall.pull(HttpMethod.GET, "app", "manifests/1", List.of(), 1024, "test");
      assertThat(upstreams.client("reg.example", config).fetch(call).join().status())
          .isEqualTo(HttpStatus.OK);
      assertThat(seen).containsExactly("", ALICE.basic());
    } finally {
      registry.stop().join();
    }
  }
}
