package dev.berth.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Makes a blob cold again on a proxy between runs: once the proxy has stored the copy it fetched,
 * the file is deleted, so that the next request is a miss. Both Berth and Distribution look for the
 * file on each request; neither keeps the blob anywhere else.
 */
final class Evictions {
  private final Set<Path> fetched = new HashSet<>();

  /** Notes that {@code cache} was asked for {@code digest} and will store it. */
  void fetched(Cache cache, String digest) {
    fetched.add(cache.blobFile(digest));
  }

  /** Waits until the copy {@code cache} is storing is in place (at most 2 min), then deletes it. */
  void evict(Cache cache, String digest) {
    Path file = cache.blobFile(digest);
    if (!fetched.remove(file)) {
      return;
    }
    awaitStored(cache, digest);
    try {
      Files.delete(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until {@code cache} writes nothing (at most 2 min). */
  static void awaitSettled(Cache cache) {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!cache.isSettled()) {
      if (System.nanoTime() > deadline) {
        throw new BenchException("the proxy was still writing after 2 min");
      }
      Http.sleepMillis(20);
    }
  }

  /**
   * Waits until {@code cache} has stored {@code digest} and writes nothing else (at most 2 min), so
   * that no work of one run spills into the next.
   */
  static void awaitStored(Cache cache, String digest) {
    Path file = cache.blobFile(digest);
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!Files.exists(file) || !cache.isSettled()) {
      if (System.nanoTime() > deadline) {
        throw new BenchException(
            "the proxy did not store " + digest + " at " + file + " within 2 min");
      }
      Http.sleepMillis(20);
    }
  }
}
