package dev.berth.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The CNCF Distribution registry from Debian's {@code docker-registry}: the upstream every proxy
 * pulls from and pushes go to, and, with {@code proxy: remoteurl:}, the reference pull-through
 * cache. Both run with Distribution's own defaults for logging (info, with an access log).
 */
final class Distribution extends Server implements Cache {
  private final Path root;

  private Distribution(Server server, Path root) {
    super(server.proc(), server.port());
    this.root = root;
  }

  /** A plain registry storing under {@code dir}, deletes enabled (the push scenarios use them). */
  static Distribution upstream(String name, Path dir) {
    return start(name, dir, true, "");
  }

  /** A pull-through cache of {@code remote}. */
  static Distribution proxy(String name, Path dir, String remote) {
    return start(name, dir, false, "proxy:\n  remoteurl: " + remote + "\n");
  }

  private static Distribution start(String name, Path dir, boolean deletes, String extra) {
    int port = Ports.free();
    Path root = dir.resolve("storage");
    String config =
        """
        version: 0.1
        log:
          level: info
        storage:
          filesystem:
            rootdirectory: %s
          delete:
            enabled: %b
        http:
          addr: 127.0.0.1:%d
        %s"""
            .formatted(root, deletes, port, extra);
    try {
      Files.createDirectories(root);
      Path file = Files.writeString(dir.resolve("config.yml"), config);
      List<String> cmd = List.of(Tools.path("docker-registry"), "serve", file.toString());
      return new Distribution(Server.start(name, cmd, dir.resolve("log"), port, "/v2/"), root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The access log's requests from here on. */
  AccessLog.Mark mark() {
    return AccessLog.mark(proc().log());
  }

  /** Uploads in progress, the proxy's downloads among them, live under {@code _uploads}. */
  @Override
  public boolean isSettled() {
    Path repositories = root.resolve("docker/registry/v2/repositories");
    if (!Files.isDirectory(repositories)) {
      return true;
    }
    try (java.util.stream.Stream<Path> dirs = Files.walk(repositories)) {
      return dirs.filter(d -> d.getFileName().toString().equals("_uploads"))
          .allMatch(Cache::holdsNoFile);
    } catch (java.io.UncheckedIOException | IOException e) {
      return false; // Changing under the walk: not settled.
    }
  }

  @Override
  public String upstreamAgent() {
    return "Go-http-client/";
  }

  @Override
  public List<Path> blobFiles(String digest) {
    String hex = digest.substring(digest.indexOf(':') + 1);
    return List.of(
        root.resolve(
            "docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data"));
  }
}
