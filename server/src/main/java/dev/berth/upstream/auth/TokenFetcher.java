package dev.berth.upstream.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.client.WebClientRequestPreparation;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.common.QueryParamsBuilder;
import dev.berth.errors.UpstreamException;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Asks a token server (a challenge's realm) for a bearer token: the OAuth2 POST form with {@code
 * grant_type=refresh_token} when the credentials are an identity token, falling back to GET when
 * the server refuses the POST; GET with Basic credentials otherwise, or anonymously. Answers are
 * read up to 1 MiB. Thread-safe.
 */
final class TokenFetcher {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_TOKEN_RESPONSE = 1 << 20;
  private static final String CLIENT_ID = "berth";

  private final WebClient client;
  private final Clock clock;

  TokenFetcher(WebClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** A token for {@code key}, asked with {@code credential} (empty: anonymously). */
  CompletableFuture<Token> fetch(TokenKey key, Optional<Credential> credential) {
    if (credential.isPresent() && credential.get().identityToken()) {
      return post(key, credential.get())
          .thenCompose(
              res -> {
                int status = res.status().code();
                if (status == 404 || status == 405) {
                  // The server does not speak OAuth2 POST: the identity token goes as a password.
                  return get(key, credential);
                }
                return CompletableFuture.completedFuture(res);
              })
          .thenApply(res -> parse(key, res));
    }
    return get(key, credential).thenApply(res -> parse(key, res));
  }

  private CompletableFuture<AggregatedHttpResponse> get(
      TokenKey key, Optional<Credential> credential) {
    QueryParamsBuilder query = QueryParams.builder();
    if (!key.service().isEmpty()) {
      query.add("service", key.service());
    }
    Scopes.split(key.scope()).forEach(s -> query.add("scope", s));
    credential
        .filter(c -> !c.username().isEmpty())
        .ifPresent(c -> query.add("account", c.username()));
    WebClientRequestPreparation req =
        client.prepare().get(withQuery(key, query)).maxResponseLength(MAX_TOKEN_RESPONSE);
    credential.ifPresent(c -> req.header(HttpHeaderNames.AUTHORIZATION, c.basic()));
    return req.execute().aggregate();
  }

  private CompletableFuture<AggregatedHttpResponse> post(TokenKey key, Credential credential) {
    QueryParamsBuilder form =
        QueryParams.builder()
            .add("grant_type", "refresh_token")
            .add("refresh_token", credential.secret())
            .add("client_id", CLIENT_ID)
            .add("access_type", "offline");
    if (!key.service().isEmpty()) {
      form.add("service", key.service());
    }
    if (!key.scope().isEmpty()) {
      form.add("scope", key.scope());
    }
    return client
        .prepare()
        .post(key.realm())
        .content(MediaType.FORM_DATA, form.build().toQueryString())
        .maxResponseLength(MAX_TOKEN_RESPONSE)
        .execute()
        .aggregate();
  }

  private static String withQuery(TokenKey key, QueryParamsBuilder query) {
    String q = query.build().toQueryString();
    if (q.isEmpty()) {
      return key.realm();
    }
    return key.realm() + (URI.create(key.realm()).getRawQuery() == null ? "?" : "&") + q;
  }

  private Token parse(TokenKey key, AggregatedHttpResponse res) {
    int status = res.status().code();
    if (status != 200) {
      String what =
          status == 401 || status == 403 ? " refused the credentials" : " could not give a token";
      // The body is not quoted: a token server may echo what it was sent.
      throw new CompletionException(
          new UpstreamException(
              "token server " + key.realm() + what + " (" + res.status() + ") for " + key.scope(),
              UpstreamException.isTemporary(status),
              status,
              null));
    }
    try {
      JsonNode body = JSON.readTree(res.contentUtf8());
      String token = body.path("token").asText("");
      if (token.isEmpty()) {
        token = body.path("access_token").asText("");
      }
      if (token.isEmpty()) {
        throw invalid(key, "sent no token");
      }
      long expires = body.path("expires_in").asLong(0);
      Duration lifetime = expires > 0 ? Duration.ofSeconds(expires) : Token.DEFAULT_LIFETIME;
      return new Token(
          token, lifetime.minus(elapsedSince(body.path("issued_at").asText(""), lifetime)));
    } catch (IOException e) {
      throw invalid(key, "sent no JSON");
    }
  }

  /** How much of {@code lifetime} passed since {@code issuedAt}, within 0 and lifetime - 1 s. */
  private Duration elapsedSince(String issuedAt, Duration lifetime) {
    if (issuedAt.isEmpty()) {
      return Duration.ZERO;
    }
    try {
      Duration elapsed = Duration.between(Instant.parse(issuedAt), clock.instant());
      Duration most = lifetime.minusSeconds(1);
      // A clock behind the server's gives a negative age: it is taken as none.
      return elapsed.isNegative() ? Duration.ZERO : elapsed.compareTo(most) > 0 ? most : elapsed;
    } catch (DateTimeParseException e) {
      return Duration.ZERO;
    }
  }

  /** A 200 without a token: the token server misbehaves for now, so another try may do. */
  private static CompletionException invalid(TokenKey key, String what) {
    return new CompletionException(
        new UpstreamException("token server " + key.realm() + " " + what, true, 0, null));
  }
}
