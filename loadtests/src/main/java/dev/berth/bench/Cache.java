package dev.berth.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** A pull-through cache whose stored copy of a blob the cold scenarios remove between runs. */
interface Cache {
  /**
   * The files the cache keeps blob {@code digest} in once it has stored it: all of them exist when
   * it is stored, and deleting them all makes it cold again.
   */
  List<Path> blobFiles(String digest);

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
