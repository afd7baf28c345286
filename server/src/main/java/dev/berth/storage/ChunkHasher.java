package dev.berth.storage;

import com.linecorp.armeria.common.util.ThreadFactories;
import io.netty.buffer.ByteBuf;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A digest computed beside the writes of the same bytes: {@link #add} hands it chunks, in order,
 * and returns once it is at most {@link #MAX_BEHIND} batches behind. Writing a blob to disk and
 * hashing it then take a core each instead of one in turn, and what waits to be hashed stays
 * bounded. The hashing runs on a pool of its own, one thread per core: its tasks never wait, so a
 * writer waiting on them cannot starve them. One writer at a time.
 */
public final class ChunkHasher {
  private static final int MAX_BEHIND = 2;

  private static final ExecutorService POOL =
      Executors.newFixedThreadPool(
          Math.max(2, Runtime.getRuntime().availableProcessors()),
          ThreadFactories.newThreadFactory("berth-hash", true));

  private final MessageDigest digest;
  private final ArrayDeque<CompletableFuture<Void>> behind = new ArrayDeque<>();
  private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

  public ChunkHasher(MessageDigest digest) {
    this.digest = digest;
  }

  /**
   * Hashes the readable bytes of {@code bufs} after everything added before. The caller keeps its
   * own references: this takes and releases its own.
   */
  public void add(List<ByteBuf> bufs) {
    List<ByteBuf> mine = bufs.stream().map(ByteBuf::retainedDuplicate).toList();
    tail =
        tail.handleAsync(
            (v, e) -> {
              try {
                for (ByteBuf b : mine) {
                  digest.update(b.nioBuffer());
                }
              } finally {
                mine.forEach(ByteBuf::release);
              }
              return null;
            },
            POOL);
    behind.add(tail);
    while (behind.size() > MAX_BEHIND) {
      behind.remove().join();
    }
  }

  /** Waits until every chunk added is hashed; then the digest holds them all. */
  public MessageDigest finish() {
    tail.join();
    behind.clear();
    return digest;
  }
}
