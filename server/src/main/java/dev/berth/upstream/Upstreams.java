package dev.berth.upstream;

import com.linecorp.armeria.client.ClientFactory;
import dev.berth.config.BerthConfig;
import dev.berth.config.UpstreamConfig;
import dev.berth.metrics.BerthMetrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The clients of every upstream host Berth has talked to, created on first use: one per host, also
 * for each host a pattern such as {@code *.gcr.io} matches. Thread-safe.
 */
public final class Upstreams implements AutoCloseable {
  private final BerthConfig config;
  private final BerthMetrics metrics;
  private final Map<String, UpstreamClient> clients = new ConcurrentHashMap<>();
  private final Map<UpstreamConfig, ClientFactory> factories = new ConcurrentHashMap<>();

  public Upstreams(BerthConfig config, BerthMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
  }

  /** The client for {@code host}, which must be matched by {@code upstream}. */
  public UpstreamClient client(String host, UpstreamConfig upstream) {
    return clients.computeIfAbsent(
        host, h -> new UpstreamClient(h, upstream, factory(upstream), metrics));
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
