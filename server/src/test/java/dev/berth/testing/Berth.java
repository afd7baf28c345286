package dev.berth.testing;

import dev.berth.config.BerthConfig;
import dev.berth.config.ConfigLoader;
import dev.berth.server.BerthServer;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/** Berth in-process on a free loopback port, configured from YAML. */
public final class Berth implements AutoCloseable {
  private final BerthServer server;

  private Berth(BerthServer server) {
    this.server = server;
  }

  /**
   * Starts Berth with {@code yaml} (which need not set listen or dataDir) and data in {@code data};
   * on the shared backends of {@code data} when the run selects them ({@link SharedBackends}).
   */
  public static Berth start(Path data, String yaml) {
    BerthConfig config =
        new ConfigLoader(Map.<String, String>of()::get)
            .parse("test.yaml", new StringReader(yaml))
            .withListen(dev.berth.config.HostPort.of("127.0.0.1:0"))
            .withDataDir(data);
    if (SharedBackends.selected()) {
      config = config.withStorage(SharedBackends.forDataDir(data, config.storage()));
    }
    try {
      return new Berth(BerthServer.start(config));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A configuration whose {@code docker.io} upstream is {@code url}, with {@code extra} YAML. */
  public static String dockerHubAt(String url, String extra) {
    return extra + "upstreams:\n  - name: docker.io\n    endpoints: [\"" + url + "\"]\n";
  }

  public int port() {
    return server.port();
  }

  public String address() {
    return "127.0.0.1:" + port();
  }

  public RegistryClient client() {
    return new RegistryClient("http://" + address());
  }

  @Override
  public void close() {
    server.close();
  }
}
