package dev.berth.storage;

import dev.berth.oci.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The blobs a store holds: their sizes, their pins, the order they were used in, and the total the
 * store counts against its budget. Which blobs to evict is decided here; deleting them is the
 * store's. Thread-safe.
 */
public final class BlobIndex {
  private static final Logger log = LoggerFactory.getLogger(BlobIndex.class);

  private final Map<Digest, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong total = new AtomicLong();
  private final AtomicLong clock = new AtomicLong();

  /** One held blob. */
  public static final class Entry {
    private final long size;
    private volatile boolean pinned;
    private volatile long lastUsed;
    private volatile long savedAtMillis = System.currentTimeMillis();

    private Entry(long size, boolean pinned, long lastUsed) {
      this.size = size;
      this.pinned = pinned;
      this.lastUsed = lastUsed;
    }

    public long size() {
      return size;
    }

    public boolean pinned() {
      return pinned;
    }
  }

  /**
   * Records {@code digest} of {@code size} bytes as just used, replacing an earlier record; a
   * {@code pinned} blob is never evicted, and a blob pinned before stays pinned.
   */
  public void add(Digest digest, long size, boolean pinned) {
    entries.compute(
        digest,
        (d, previous) -> {
          boolean keep = pinned || (previous != null && previous.pinned);
          total.addAndGet(size - (previous == null ? 0 : previous.size));
          return new Entry(size, keep, clock.incrementAndGet());
        });
  }

  /** The record of {@code digest}; empty when it is not held. */
  public Optional<Entry> get(Digest digest) {
    return Optional.ofNullable(entries.get(digest));
  }

  /** Whether {@code digest} is held. */
  public boolean contains(Digest digest) {
    return entries.containsKey(digest);
  }

  /** Marks {@code digest} as just used; false when it is not held. */
  public boolean touch(Digest digest) {
    Entry e = entries.get(digest);
    if (e == null) {
      return false;
    }
    e.lastUsed = clock.incrementAndGet();
    return true;
  }

  /**
   * Whether the use of {@code digest} was last saved outside memory (a file time, a row) more than
   * {@code everyMillis} ago; if so, it counts as saved now and the caller saves it.
   */
  public boolean dueForSave(Digest digest, long everyMillis) {
    Entry e = entries.get(digest);
    long now = System.currentTimeMillis();
    if (e == null || now - e.savedAtMillis <= everyMillis) {
      return false;
    }
    e.savedAtMillis = now;
    return true;
  }

  /** Pins {@code digest} and marks it just used; false when it is not held. */
  public boolean pin(Digest digest) {
    Entry e = entries.get(digest);
    if (e == null) {
      return false;
    }
    e.pinned = true;
    e.lastUsed = clock.incrementAndGet();
    return true;
  }

  /** Forgets {@code digest} if it is still held as {@code entry} (not added again since). */
  public void remove(Digest digest, Entry entry) {
    if (entries.remove(digest, entry)) {
      total.addAndGet(-entry.size);
    }
  }

  /** Total bytes of the blobs held. */
  public long total() {
    return total.get();
  }

  /** Deletes the bytes of one blob, for {@link #evict}. */
  @FunctionalInterface
  public interface Deleter {
    void delete(Digest digest) throws IOException;
  }

  /**
   * While the total is over {@code budget} (0: no limit), deletes the least recently used blobs
   * with {@code deleter} and forgets them: never a pinned blob, and never the most recently used
   * one (it was committed for a client waiting on it). A blob that cannot be deleted is kept.
   */
  public synchronized void evict(long budget, Deleter deleter) {
    if (budget <= 0 || total.get() <= budget) {
      return;
    }
    List<Victim> byAge = new ArrayList<>();
    entries.forEach((d, e) -> byAge.add(new Victim(d, e)));
    byAge.sort(Comparator.comparingLong(v -> v.entry.lastUsed));
    for (int i = 0; i < byAge.size() - 1 && total.get() > budget; i++) {
      Victim victim = byAge.get(i);
      if (victim.entry.pinned) {
        continue;
      }
      try {
        deleter.delete(victim.digest);
        remove(victim.digest, victim.entry);
        log.debug("evicted {} ({} bytes) over the budget", victim.digest, victim.entry.size);
      } catch (IOException e) {
        log.warn("cannot evict {}: {}", victim.digest, e.toString());
      }
    }
  }

  private record Victim(Digest digest, Entry entry) {}
}
