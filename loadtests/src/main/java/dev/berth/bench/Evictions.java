package dev.berth.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Makes a blob cold again on a proxy between runs: once the proxy has stored the copy it fetched,
 * its files are deleted, so that the next request is a miss. Berth and Distribution look for the
 * file on each request (a Berth on the shared backends for its local copy, then the object); none
 * keeps the blob anywhere else.
 */
final class Evictions {
  private final Set<List<Path>> fetched = new HashSet<>();

  /** Notes that {@code cache} was asked for {@code digest} and will store it. */
  void fetched(Cache cache, String digest) {
    fetched.add(cache.blobFiles(digest));
  }

  /** Waits until the copy {@code cache} is storing is in place (at most 2 min), then deletes it. */
  void evict(Cache cache, String digest) {
    List<Path> files = cache.blobFiles(digest);
    if (!fetched.remove(files)) {
      return;
    }
    awaitStored(cache, digest);
    try {
      for (Path file : files) {
        Files.delete(file);
      }
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
    List<Path> files = cache.blobFiles(digest);
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!files.stream().allMatch(Files::exists) || !cache.isSettled()) {
      if (System.nanoTime() > deadline) {
        throw new BenchException(
            "the proxy did not store " + digest + " at " + files + " within 2 min");
      }
      Http.sleepMillis(20);
    }
  }
}
