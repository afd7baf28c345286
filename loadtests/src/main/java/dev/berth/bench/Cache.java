package dev.berth.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** A pull-through cache whose stored copy of a blob the cold scenarios remove between runs. */
interface Cache {
  /** Where the cache keeps blob {@code digest} once it has fetched it. */
  Path blobFile(String digest);

  /** Whether the cache is writing nothing now: no download or upload in progress. */
  boolean isSettled();

  /** The user agent the cache sends upstream, which tells its requests in the upstream's log. */
  String upstreamAgent();

  /** Whether {@code dir} holds no regular file, at any depth (a missing directory holds none). */
  static boolean holdsNoFile(Path dir) {
    if (!Files.isDirectory(dir)) {
      return true;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.noneMatch(Files::isRegularFile);
    } catch (java.nio.file.NoSuchFileException e) {
      return false; // Changing under the walk: not settled.
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
