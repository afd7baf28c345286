package dev.berth.upstream;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.ClientFactoryBuilder;
import com.linecorp.armeria.client.Endpoint;
import com.linecorp.armeria.client.proxy.ProxyConfigSelector;
import dev.berth.config.BerthConfig;
import dev.berth.config.ProxyConfig;
import dev.berth.config.UpstreamConfig;
import dev.berth.config.UpstreamTlsConfig;
import dev.berth.metrics.BerthMetrics;
import dev.berth.routing.Target;
import dev.berth.upstream.auth.CredentialSources;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import javax.net.ssl.TrustManagerFactory;

/**
 * The clients of every upstream host Berth has talked to, created on first use: one per host, also
 * for each host a pattern such as {@code *.gcr.io} matches. Thread-safe.
 */
public final class Upstreams implements AutoCloseable {
  private final BerthConfig config;
  private final BerthMetrics metrics;
  private final Map<String, UpstreamClient> clients = new ConcurrentHashMap<>();
  private final Map<UpstreamConfig, ClientFactory> factories = new ConcurrentHashMap<>();
  private final Executor blocking;
  private final Map<String, String> env;

  /**
   * Clients for the upstreams of {@code config}; credential sources run on {@code blocking} and
   * find $DOCKER_CONFIG and $HOME in {@code env}.
   */
  public Upstreams(
      BerthConfig config, BerthMetrics metrics, Executor blocking, Map<String, String> env) {
    this.config = config;
    this.metrics = metrics;
    this.blocking = blocking;
    this.env = Map.copyOf(env);
  }

  /** The client for the upstream of {@code target}, which must not be local. */
  public UpstreamClient client(Target target) {
    return client(target.registry(), target.upstreamConfig());
  }

  /** The client for {@code host}, which must be matched by {@code upstream}. */
  public UpstreamClient client(String host, UpstreamConfig upstream) {
    return clients.computeIfAbsent(
        host,
        h ->
            new UpstreamClient(
                h,
                upstream,
                factory(upstream),
                metrics,
                CredentialSources.of(
                    h,
                    upstream.endpointsFor(h).stream().map(e -> e.uri().getAuthority()).toList(),
                    upstream.credentials(),
                    env),
                blocking,
                config.isOffline(upstream)));
  }

  /** Why some upstream cannot get tokens or credentials right now, one line each. */
  public List<String> problems() {
    return clients.values().stream()
        .flatMap(
            c -> c.authenticator().failure().map(f -> "upstream " + c.host() + ": " + f).stream())
        .sorted()
        .toList();
  }

  /** The largest chunk of an HTTP/1 body, in and out; also what the server uses. */
  public static final int BODY_CHUNK_BYTES = 64 << 10;

  private ClientFactory factory(UpstreamConfig upstream) {
    return factories.computeIfAbsent(upstream, this::newFactory);
  }

  /** Connections for {@code u}: its timeouts, its TLS settings, and the proxy unless bypassed. */
  private ClientFactory newFactory(UpstreamConfig u) {
    ClientFactoryBuilder b =
        ClientFactory.builder()
            .connectTimeout(u.connectTimeout())
            .idleTimeout(u.idleTimeout())
            // Blob bodies in chunks as large as a socket read, not Armeria's 8 KiB: each chunk
            // costs a hand-off, a hash update and a write.
            .http1MaxChunkSize(BODY_CHUNK_BYTES);
    UpstreamTlsConfig tls = u.tls();
    if (tls.insecureSkipVerify()) {
      b.tlsNoVerify();
    }
    if (tls.ca() != null) {
      TrustManagerFactory trust = Trust.systemAnd(tls.ca());
      b.tlsCustomizer(ssl -> ssl.trustManager(trust));
    }
    if (tls.certificate() != null) {
      b.tls(
          com.linecorp.armeria.common.TlsKeyPair.of(
              Objects.requireNonNull(tls.key(), "a certificate comes with its key").toFile(),
              tls.certificate().toFile()));
    }
    ProxyConfig proxy = config.proxy();
    if (proxy != null) {
      b.proxyConfig(
          new ProxyConfigSelector() {
            @Override
            public com.linecorp.armeria.client.proxy.ProxyConfig select(
                com.linecorp.armeria.common.SessionProtocol protocol, Endpoint endpoint) {
              return proxy.bypasses(endpoint.host())
                  ? com.linecorp.armeria.client.proxy.ProxyConfig.direct()
                  : com.linecorp.armeria.client.proxy.ProxyConfig.connect(
                      new InetSocketAddress(proxy.url().getHost(), proxy.url().getPort()));
            }

            @Override
            public void connectFailed(
                com.linecorp.armeria.common.SessionProtocol protocol,
                Endpoint endpoint,
                java.net.SocketAddress sa,
                Throwable cause) {}
          });
    }
    return b.build();
  }

  /** The configuration these clients were made from. */
  public BerthConfig config() {
    return config;
  }

  @Override
  public void close() {
    factories.values().forEach(ClientFactory::close);
  }
}
