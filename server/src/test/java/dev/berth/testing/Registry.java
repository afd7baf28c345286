package dev.berth.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * A real Distribution registry ({@code registry:2}) started by Testcontainers with host networking
 * on a free loopback port, so that all traffic stays on 127.0.0.1.
 */
public final class Registry implements AutoCloseable {
  private final GenericContainer<?> container;
  private final int port;

  @SuppressWarnings("resource")
  private Registry() {
    port = Ports.free();
    container =
        new GenericContainer<>(DockerImageName.parse("registry:2"))
            .withNetworkMode("host")
            .withEnv("REGISTRY_HTTP_ADDR", "127.0.0.1:" + port)
            .withEnv("REGISTRY_STORAGE_DELETE_ENABLED", "true")
            .withEnv("REGISTRY_LOG_LEVEL", "warn");
  }

  /** Starts a registry and waits until {@code GET /v2/} answers. */
  public static Registry start() {
    Registry r = new Registry();
    r.container.start();
    r.awaitReady(200);
    return r;
  }

  /**
   * Starts a registry that requires bearer tokens from {@code tokens}, as Docker Hub, GHCR and Quay
   * do (their tokens are anonymous for public images); waits until {@code GET /v2/} answers with
   * its challenge.
   */
  public static Registry startWithTokenAuth(TokenServer tokens) {
    Registry r = new Registry();
    String config =
        """
        version: 0.1
        log:
          level: warn
        storage:
          filesystem:
            rootdirectory: /var/lib/registry
        http:
          addr: 127.0.0.1:%d
        auth:
          token:
            realm: %s
            service: berth-test-registry
            issuer: berth-test-issuer
            rootcertbundle: /etc/docker/registry/root.pem
        """
            .formatted(r.port, tokens.realm());
    r.container
        .withCopyToContainer(
            Transferable.of(config.getBytes(StandardCharsets.UTF_8)),
            "/etc/docker/registry/config.yml")
        .withCopyToContainer(
            Transferable.of(tokens.certificatePem().getBytes(StandardCharsets.UTF_8)),
            "/etc/docker/registry/root.pem");
    r.container.start();
    r.awaitReady(401);
    return r;
  }

  private void awaitReady(int expected) {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest probe = HttpRequest.newBuilder(URI.create(url() + "/v2/")).build();
    try {
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .ignoreExceptions() // Not listening yet.
          .until(
              () ->
                  http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode()
                      == expected);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("registry did not answer on " + url() + ":\n" + container.getLogs());
    }
  }

  public int port() {
    return port;
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** A client that pushes test content straight into this registry. */
  public RegistryClient client() {
    return new RegistryClient(url());
  }

  @Override
  public void close() {
    container.stop();
  }
}
