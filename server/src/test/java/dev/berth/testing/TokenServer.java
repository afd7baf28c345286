package dev.berth.testing;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A registry token server for tests: anonymous {@code GET /token?service=&scope=} answers a signed
 * JWT granting pull (and push, for the test's own uploads) with a lifetime of a few seconds.
 * Distribution accepts tokens up to 60 s past their {@code exp}, so {@code exp} is written 60 s
 * early: a token announced for 3 s is refused after 3 s.
 */
public final class TokenServer implements AutoCloseable {
  private final Server server;
  private final PrivateKey key;
  private final String certificate;
  private final String pem;
  private final long lifetimeSeconds;
  private volatile long lastExpiryMillis;
  private final List<String> issued = new CopyOnWriteArrayList<>();
  private final List<String> scopes = new CopyOnWriteArrayList<>();
  private final List<String> grants = new CopyOnWriteArrayList<>();
  private volatile java.util.function.Predicate<String> basicCheck;
  private volatile String refreshToken;
  private volatile boolean refusePost;

  public TokenServer(Path dir, long lifetimeSeconds) throws Exception {
    this.lifetimeSeconds = lifetimeSeconds;
    Keys keys = Keys.selfSigned(dir, "CN=berth-test-token");
    key = keys.key();
    certificate = Base64.getEncoder().encodeToString(keys.certificate().getEncoded());
    pem = keys.certificatePem();
    server =
        Server.builder()
            .http(new InetSocketAddress("127.0.0.1", 0))
            .service(
                "/token",
                (ctx, req) -> HttpResponse.of(req.aggregate().thenApply(agg -> answer(ctx, agg))))
            .build();
    server.start().join();
  }

  /**
   * Issues tokens only to requests whose Basic {@code user:password} passes {@code check} (null: to
   * anyone, anonymous included).
   */
  public TokenServer requireBasic(java.util.function.Predicate<String> check) {
    basicCheck = check;
    return this;
  }

  /** Accepts the OAuth2 POST form with {@code grant_type=refresh_token} and this token. */
  public TokenServer acceptRefreshToken(String token) {
    refreshToken = token;
    return this;
  }

  /** Answers every POST with 405, as token servers without OAuth2 support do (false: serve it). */
  public TokenServer refusePost(boolean on) {
    refusePost = on;
    return this;
  }

  /**
   * How each token request asked: {@code get-anonymous}, {@code get-basic} or {@code
   * post-refresh_token}.
   */
  public List<String> grants() {
    return List.copyOf(grants);
  }

  private HttpResponse answer(
      ServiceRequestContext ctx, com.linecorp.armeria.common.AggregatedHttpRequest req) {
    try {
      if (req.method() == com.linecorp.armeria.common.HttpMethod.POST) {
        if (refusePost) {
          return HttpResponse.of(HttpStatus.METHOD_NOT_ALLOWED);
        }
        com.linecorp.armeria.common.QueryParams form =
            com.linecorp.armeria.common.QueryParams.fromQueryString(req.contentUtf8());
        grants.add("post-" + form.get("grant_type"));
        if (!"refresh_token".equals(form.get("grant_type"))
            || refreshToken == null
            || !refreshToken.equals(form.get("refresh_token"))) {
          return HttpResponse.of(HttpStatus.UNAUTHORIZED);
        }
        return token(
            form.get("service", ""), List.of(form.get("scope", "").split(" ")), "access_token");
      }
      String auth = req.headers().get("authorization", "");
      java.util.function.Predicate<String> check = basicCheck;
      if (auth.startsWith("Basic ")) {
        grants.add("get-basic");
        String userPass =
            new String(Base64.getDecoder().decode(auth.substring(6)), StandardCharsets.UTF_8);
        boolean refresh = refreshToken != null && userPass.endsWith(":" + refreshToken);
        if (check != null && !check.test(userPass) && !refresh) {
          return HttpResponse.of(HttpStatus.UNAUTHORIZED);
        }
      } else {
        grants.add("get-anonymous");
        if (check != null) {
          return HttpResponse.of(HttpStatus.UNAUTHORIZED);
        }
      }
      return token(ctx.queryParam("service"), ctx.queryParams().getAll("scope"), "token");
    } catch (Exception e) {
      return HttpResponse.of(HttpStatus.INTERNAL_SERVER_ERROR);
    }
  }

  private HttpResponse token(String service, List<String> requested, String field)
      throws Exception {
    StringBuilder access = new StringBuilder();
    for (String scope : requested) {
      scopes.add(scope);
      String[] parts = scope.split(":");
      if (parts.length == 3 && parts[0].equals("repository")) {
        if (access.length() > 0) {
          access.append(',');
        }
        access.append(
            "{\"type\":\"repository\",\"name\":\""
                + parts[1]
                + "\",\"actions\":[\"pull\",\"push\"]}");
      }
    }
    // Rounded up, so that the token lives at least the expires_in it announces.
    long now = (Instant.now().toEpochMilli() + 999) / 1000;
    String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"x5c\":[\"" + certificate + "\"]}";
    String claims =
        "{\"iss\":\"berth-test-issuer\",\"sub\":\"\",\"aud\":\""
            + service
            + "\",\"exp\":"
            + (now + lifetimeSeconds - 60)
            + ",\"nbf\":"
            + (now - 70)
            + ",\"iat\":"
            + (now - 60)
            + ",\"jti\":\""
            + UUID.randomUUID()
            + "\",\"access\":["
            + access
            + "]}";
    String signingInput = b64(header) + "." + b64(claims);
    Signature rsa = Signature.getInstance("SHA256withRSA");
    rsa.initSign(key);
    rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
    String jwt =
        signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(rsa.sign());
    issued.add(jwt);
    lastExpiryMillis = (now + lifetimeSeconds) * 1000;
    return HttpResponse.of(
        HttpStatus.OK,
        MediaType.JSON_UTF_8,
        "{\"" + field + "\":\"" + jwt + "\",\"expires_in\":" + lifetimeSeconds + "}");
  }

  private static String b64(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  public String realm() {
    return "http://127.0.0.1:" + server.activeLocalPort() + "/token";
  }

  /** The certificate that signs tokens, for the registry's {@code rootcertbundle}. */
  public String certificatePem() {
    return pem;
  }

  /** A token for {@code scope}, as an anonymous client would get it. */
  public String tokenFor(String scope) throws IOException, InterruptedException {
    return tokenFor(scope, null);
  }

  /** A token for {@code scope}, asked with Basic {@code userPass} ({@code user:password}). */
  public String tokenFor(String scope, String userPass) throws IOException, InterruptedException {
    java.net.http.HttpRequest.Builder req =
        java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(realm() + "?service=berth-test-registry&scope=" + scope));
    if (userPass != null) {
      req.header(
          "authorization",
          "Basic " + Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8)));
    }
    java.net.http.HttpResponse<String> res =
        java.net.http.HttpClient.newHttpClient()
            .send(req.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    String body = res.body();
    int start = body.indexOf("\"token\":\"") + 9;
    return body.substring(start, body.indexOf('"', start));
  }

  /**
   * Returns once every token issued so far has expired (a second past the last one's end, for the
   * registry's whole-second clock): what a long build does to the tokens it started with.
   */
  public void awaitEveryTokenExpired() {
    long until = lastExpiryMillis + 1000;
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(lifetimeSeconds + 5))
        .pollInterval(java.time.Duration.ofMillis(100))
        .until(() -> System.currentTimeMillis() > until);
  }

  /** Every token issued so far. */
  public List<String> issued() {
    return List.copyOf(issued);
  }

  /** Every scope asked for so far. */
  public List<String> scopes() {
    return List.copyOf(scopes);
  }

  @Override
  public void close() {
    server.stop().join();
  }
}
