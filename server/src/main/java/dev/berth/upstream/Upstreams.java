package dev.berth.upstream;

import com.linecorp.armeria.client.ClientFactory;
import dev.berth.config.BerthConfig;
import dev.berth.config.UpstreamConfig;
import dev.berth.metrics.BerthMetrics;
import dev.berth.upstream.auth.CredentialSources;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

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

  private ClientFactory factory(UpstreamConfig upstream) {
    return factories.computeIfAbsent(
        upstream,
        u ->
            ClientFactory.builder()
                .connectTimeout(u.connectTimeout())
                .idleTimeout(u.idleTimeout())
                .build());
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
