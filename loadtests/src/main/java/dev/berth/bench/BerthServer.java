package dev.berth.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Berth started by its launcher, as {@code berth serve} runs it, with the data set's upstream as
 * {@code docker.io} and two push upstreams on the same registry: {@value #SYNC} (synchronous
 * forwarding) and {@value #ASYNC} (asynchronous).
 */
final class BerthServer extends Server implements Cache {
  static final String SYNC = "push-sync.bench";
  static final String ASYNC = "push-async.bench";
  private static final String READY = "/readyz";

  private final Launcher launcher;
  private final Path dir;
  private final Path data;
  private final Optional<SharedBackends> backends;
  private int restarts;

  private BerthServer(
      Server server, Launcher launcher, Path dir, Optional<SharedBackends> backends) {
    super(server.proc(), server.port());
    this.launcher = launcher;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.backends = backends;
  }

  /**
   * Starts Berth under {@code dir} in front of {@code upstream}, waiting for {@code /readyz}: on
   * {@code backends} when given (its data directory is then the local tier), else on its data
   * directory alone.
   */
  static BerthServer start(
      String name,
      Launcher launcher,
      Path dir,
      String upstream,
      Optional<SharedBackends> backends) {
    int port = Ports.free();
    try {
      Files.createDirectories(dir);
      Files.writeString(
          dir.resolve("berth.yaml"),
          config(upstream) + backends.map(SharedBackends::storageYaml).orElse(""));
      Server s =
          Server.start(
              name,
              launcher.command(args(dir, port)),
              launcher.environment(),
              dir.resolve("log"),
              port,
              READY);
      return new BerthServer(s, launcher, dir, backends);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Kills this Berth and starts a new process on the same data directory and port, waiting for
   * {@code /readyz}: what it stored is still there, what its JVM learned is not. It is killed once
   * settled (nothing being written), so that the kill loses nothing and skips the seconds of a
   * graceful stop's drain.
   */
  void restart() {
    Evictions.awaitSettled(this);
    proc().kill();
    Server s =
        Server.start(
            name(),
            launcher.command(args(dir, port())),
            launcher.environment(),
            dir.resolve("log." + ++restarts),
            port(),
            READY);
    replace(s.proc());
  }

  private static List<String> args(Path dir, int port) {
    return List.of(
        "serve",
        "--config",
        dir.resolve("berth.yaml").toString(),
        "--data",
        dir.resolve("data").toString(),
        "--listen",
        "127.0.0.1:" + port);
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

  /** The local copy; on the shared backends, the object too. */
  @Override
  public List<Path> blobFiles(String digest) {
    return backends
        .map(b -> List.of(localCopy(digest), b.object(blobName(digest))))
        .orElseGet(() -> List.of(localCopy(digest)));
  }

  /**
   * Makes blob {@code digest} cold for this Berth's next process: its files deleted and, on the
   * shared backends, its row in the database too (a running process still holds it in memory).
   */
  void forget(String digest) {
    try {
      for (Path file : blobFiles(digest)) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    backends.ifPresent(b -> b.forget(digest));
  }

  /** The blob in the data directory: on the shared backends, the local tier's copy. */
  Path localCopy(String digest) {
    return data.resolve(blobName(digest));
  }

  private static String blobName(String digest) {
    String hex = digest.substring(digest.indexOf(':') + 1);
    return "blobs/sha256/" + hex.substring(0, 2) + "/" + hex;
  }
}
