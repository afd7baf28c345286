package dev.berth.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Berth started by its launcher, as {@code berth serve} runs it, with the data set's upstream as
 * {@code docker.io} and two push upstreams on the same registry: {@value #SYNC} (synchronous
 * forwarding) and {@value #ASYNC} (asynchronous).
 */
final class BerthServer extends Server implements Cache {
  static final String SYNC = "push-sync.bench";
  static final String ASYNC = "push-async.bench";

  private final Path data;

  private BerthServer(Server server, Path data) {
    super(server.proc(), server.port());
    this.data = data;
  }

  /** Starts Berth under {@code dir} in front of {@code upstream}, waiting for {@code /readyz}. */
  static BerthServer start(String name, Launcher launcher, Path dir, String upstream) {
    int port = Ports.free();
    Path data = dir.resolve("data");
    try {
      Files.createDirectories(dir);
      Path config = Files.writeString(dir.resolve("berth.yaml"), config(upstream));
      List<String> args =
          List.of(
              "serve",
              "--config",
              config.toString(),
              "--data",
              data.toString(),
              "--listen",
              "127.0.0.1:" + port);
      Server s =
          Server.start(
              name,
              launcher.command(args),
              launcher.environment(),
              dir.resolve("log"),
              port,
              "/readyz");
      return new BerthServer(s, data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Defaults but for the upstreams, and a tag TTL longer than the benchmark, so that the by-tag
   * scenarios measure tags within their TTL.
   */
  static String config(String upstream) {
    return """
        cache:
          tagTtl: 1h
        upstreams:
          - name: docker.io
            endpoints: ["%1$s"]
          - name: %2$s
            endpoints: ["%1$s"]
            push: true
            forwarding: sync
          - name: %3$s
            endpoints: ["%1$s"]
            push: true
            forwarding: async
        """
        .formatted(upstream, SYNC, ASYNC);
  }

  /** Downloads and writes in progress live under {@code tmp/}, uploads under {@code uploads/}. */
  @Override
  public boolean isSettled() {
    return Cache.holdsNoFile(data.resolve("tmp")) && Cache.holdsNoFile(data.resolve("uploads"));
  }

  @Override
  public String upstreamAgent() {
    return "berth/";
  }

  @Override
  public Path blobFile(String digest) {
    String hex = digest.substring(digest.indexOf(':') + 1);
    return data.resolve("blobs/sha256/" + hex.substring(0, 2) + "/" + hex);
  }
}
