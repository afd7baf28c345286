package dev.berth.upstream.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.QueryParams;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Asks a token server (a challenge's realm) for a bearer token. Thread-safe. */
final class TokenFetcher {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_TOKEN_RESPONSE = 1 << 20;

  private final WebClient client;

  TokenFetcher(WebClient client) {
    this.client = client;
  }

  /** GET {@code realm?service=&scope=}, anonymously; the answer's token and its lifetime. */
  CompletableFuture<Token> fetch(TokenKey key) {
    URI realm = URI.create(key.realm());
    QueryParams query =
        QueryParams.builder().add("service", key.service()).add("scope", key.scope()).build();
    String uri = key.realm() + (realm.getRawQuery() == null ? "?" : "&") + query.toQueryString();
    return client
        .prepare()
        .get(uri)
        .maxResponseLength(MAX_TOKEN_RESPONSE)
        .execute()
        .aggregate()
        .thenApply(res -> parse(key, res));
  }

  private static Token parse(TokenKey key, AggregatedHttpResponse res) {
    if (!res.status().isSuccess()) {
      throw new TokenException(
          "token server "
              + key.realm()
              + " answered "
              + res.status()
              + " for scope "
              + key.scope());
    }
    try {
      JsonNode body = JSON.readTree(res.contentUtf8());
      String token = body.path("token").asText(body.path("access_token").asText(""));
      if (token.isEmpty()) {
        throw new TokenException("token server " + key.realm() + " sent no token");
      }
      long expires = body.path("expires_in").asLong(0);
      Duration lifetime = expires > 0 ? Duration.ofSeconds(expires) : Token.DEFAULT_LIFETIME;
      return new Token(token, lifetime);
    } catch (IOException e) {
      throw new TokenException("token server " + key.realm() + " sent no JSON: " + e.getMessage());
    }
  }

  /** A token could not be had. */
  static final class TokenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TokenException(String message) {
      super(message);
    }
  }
}
