package dev.berth.testing;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.Server;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Google's OAuth2 token endpoint for a service account, in the test: it checks the signed JWT
 * assertion of the {@code jwt-bearer} grant against the account's key and issues access tokens that
 * live a few seconds. {@link #keyFile} writes the service-account key whose {@code token_uri} is
 * this endpoint.
 */
public final class GoogleTokenEndpoint implements AutoCloseable {
  private final Server server;
  private final Keys keys;
  private final long lifetimeSeconds;
  private final Map<String, Long> expiries = new ConcurrentHashMap<>();
  private final List<String> issued = new CopyOnWriteArrayList<>();

  public GoogleTokenEndpoint(Path dir, long lifetimeSeconds) throws Exception {
    this.keys = Keys.selfSigned(dir, "CN=berth-test-service-account");
    this.lifetimeSeconds = lifetimeSeconds;
    server =
        Server.builder()
            .http(new InetSocketAddress("127.0.0.1", 0))
            .service(
                "/token", (ctx, req) -> HttpResponse.of(req.aggregate().thenApply(this::answer)))
            .build();
    server.start().join();
  }

  private HttpResponse answer(AggregatedHttpRequest req) {
    if (req.method() != HttpMethod.POST) {
      return HttpResponse.of(HttpStatus.METHOD_NOT_ALLOWED);
    }
    QueryParams form = QueryParams.fromQueryString(req.contentUtf8());
    String assertion = form.get("assertion", "");
    if (!"urn:ietf:params:oauth:grant-type:jwt-bearer".equals(form.get("grant_type"))
        || !signedByAccount(assertion)) {
      return HttpResponse.of(
          HttpStatus.BAD_REQUEST, MediaType.JSON_UTF_8, "{\"error\":\"invalid_grant\"}");
    }
    String token = "ya29.test-" + UUID.randomUUID();
    expiries.put(token, System.currentTimeMillis() + lifetimeSeconds * 1000);
    issued.add(token);
    return HttpResponse.of(
        HttpStatus.OK,
        MediaType.JSON_UTF_8,
        "{\"access_token\":\""
            + token
            + "\",\"expires_in\":"
            + lifetimeSeconds
            + ",\"token_type\":\"Bearer\"}");
  }

  private boolean signedByAccount(String jwt) {
    String[] parts = jwt.split("\\.");
    if (parts.length != 3) {
      return false;
    }
    try {
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initVerify(keys.certificate().getPublicKey());
      rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      return rsa.verify(Base64.getUrlDecoder().decode(parts[2]));
    } catch (Exception e) {
      return false;
    }
  }

  /** Whether {@code token} was issued here and has not expired. */
  public boolean isValid(String token) {
    Long expiry = expiries.get(token);
    return expiry != null && System.currentTimeMillis() < expiry;
  }

  /** Returns once every access token issued so far has expired. */
  public void awaitEveryTokenExpired() {
    long until = expiries.values().stream().mapToLong(Long::longValue).max().orElse(0);
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(lifetimeSeconds + 5))
        .pollInterval(java.time.Duration.ofMillis(100))
        .until(() -> System.currentTimeMillis() > until);
  }

  /** Every access token issued so far. */
  public List<String> issued() {
    return List.copyOf(issued);
  }

  /** Writes a service-account key file whose {@code token_uri} is this endpoint. */
  public Path keyFile(Path dir) throws Exception {
    String pem = keys.keyPem().replace("\n", "\\n");
    String json =
        """
        {"type": "service_account", "project_id": "berth-test", "private_key_id": "k1",
         "private_key": "%s", "client_email": "berth@berth-test.iam.gserviceaccount.com",
         "client_id": "1", "token_uri": "http://127.0.0.1:%d/token"}
        """
            .formatted(pem, server.activeLocalPort());
    return Files.writeString(dir.resolve("service-account.json"), json);
  }

  @Override
  public void close() {
    server.stop().join();
  }
}
