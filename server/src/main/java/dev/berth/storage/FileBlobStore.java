package dev.berth.storage;

import dev.berth.oci.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Content-addressed blob files with a disk budget: once the blobs take more than the budget, the
 * least recently used are deleted. A file is placed under a digest only by a writer's commit, after
 * its content was verified. Thread-safe.
 */
public final class FileBlobStore implements BlobStore {
  private static final Logger log = LoggerFactory.getLogger(FileBlobStore.class);

  private final StoragePaths paths;
  private final long budget;
  private final DiskSpace disk;
  private final Map<Digest, Entry> index = new ConcurrentHashMap<>();
  private final AtomicLong total = new AtomicLong();
  private final AtomicLong clock = new AtomicLong();

  /** How often a blob's file time is brought up to date while it is being used. */
  private static final long TOUCH_EVERY_MILLIS = 60_000;

  private static final class Entry {
    final long size;
    volatile boolean pinned;
    volatile long lastUsed;
    volatile long touchedAtMillis;

    Entry(long size, long lastUsed) {
      this.size = size;
      this.lastUsed = lastUsed;
      this.touchedAtMillis = System.currentTimeMillis();
    }
  }

  /** A store over {@code paths}; {@code budget} bytes at most, 0 for no limit. */
  public FileBlobStore(StoragePaths paths, long budget) {
    this.paths = paths;
    this.budget = budget;
    this.disk = new DiskSpace(paths.root());
    scan();
  }

  /** The free space of the file system the store writes to, and the writes that failed there. */
  @Override
  public DiskSpace disk() {
    return disk;
  }

  private void scan() {
    Path blobs = paths.blobs();
    if (!Files.isDirectory(blobs)) {
      return;
    }
    record Found(Digest digest, long size, FileTime used) {}
    List<Found> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(blobs)) {
      files
          .filter(Files::isRegularFile)
          .forEach(
              f -> {
                try {
                  Digest d =
                      new Digest(
                          StoragePaths.above(f, 2).getFileName().toString(),
                          f.getFileName().toString());
                  found.add(new Found(d, Files.size(f), Files.getLastModifiedTime(f)));
                } catch (IllegalArgumentException | IOException e) {
                  log.warn("ignoring a file that is not a blob: {}", f);
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + blobs, e);
    }
    found.sort(Comparator.comparing(Found::used));
    for (Found f : found) {
      Entry e = new Entry(f.size(), clock.incrementAndGet());
      e.pinned = Files.exists(paths.pin(f.digest()));
      index.put(f.digest(), e);
      total.addAndGet(f.size());
    }
  }

  /** The blob under {@code digest}, marked as just used; empty when it is not stored. */
  @Override
  public Optional<StoredBlob> find(Digest digest) {
    Entry e = index.get(digest);
    if (e == null) {
      return Optional.empty();
    }
    Path path = paths.blob(digest);
    if (!Files.exists(path)) {
      forget(digest, e);
      return Optional.empty();
    }
    e.lastUsed = clock.incrementAndGet();
    long now = System.currentTimeMillis();
    if (now - e.touchedAtMillis > TOUCH_EVERY_MILLIS) {
      e.touchedAtMillis = now;
      touch(path);
    }
    return Optional.of(new FileBlob(path, e.size));
  }

  /** Whether {@code digest} is stored, without marking it used. */
  @Override
  public boolean contains(Digest digest) {
    return index.containsKey(digest);
  }

  @Override
  public BlobWriter writer(Digest digest) throws IOException {
    return new FileBlobWriter(this, digest, paths.newTemp(digest.hex()));
  }

  /**
   * Renames {@code file}, whose content was verified to be {@code digest} and {@code size} bytes
   * long, under its digest, then evicts least recently used blobs beyond the budget. A {@code
   * pinned} blob is never evicted, and pinning a blob that is already stored keeps it too.
   */
  StoredBlob adopt(Path file, Digest digest, long size, boolean pinned) throws IOException {
    Path target = paths.blob(digest);
    if (pinned) {
      // The marker first: a crash between the two leaves a pin without a blob, never the reverse.
      writePin(digest);
    }
    boolean wasPinned =
        pinned || Optional.ofNullable(index.get(digest)).map(e -> e.pinned).orElse(false);
    AtomicFiles.move(file, target);
    Entry entry = new Entry(size, clock.incrementAndGet());
    entry.pinned = wasPinned;
    Entry previous = index.put(digest, entry);
    total.addAndGet(size - (previous == null ? 0 : previous.size));
    evict();
    return new FileBlob(target, size);
  }

  /**
   * Keeps the stored blob {@code digest} from eviction from now on (content pushed again, or
   * mounted); false when it is not stored.
   */
  @Override
  public boolean pin(Digest digest) throws IOException {
    Entry e = index.get(digest);
    if (e == null || !Files.exists(paths.blob(digest))) {
      return false;
    }
    writePin(digest);
    e.pinned = true;
    e.lastUsed = clock.incrementAndGet();
    return true;
  }

  /** Writes {@code digest}'s pin marker durably (flushed, renamed, directory synced), once. */
  private void writePin(Digest digest) throws IOException {
    Path pin = paths.pin(digest);
    if (!Files.exists(pin)) {
      AtomicFiles.write(paths, pin, new byte[0]);
    }
  }

  /** Total bytes of stored blobs. */
  @Override
  public long totalBytes() {
    return total.get();
  }

  private synchronized void evict() {
    if (budget <= 0 || total.get() <= budget) {
      return;
    }
    List<Map.Entry<Digest, Entry>> byAge = new ArrayList<>(index.entrySet());
    byAge.sort(Comparator.comparingLong(en -> en.getValue().lastUsed));
    // The newest blob is never evicted: it was committed for a client waiting on it.
    for (int i = 0; i < byAge.size() - 1 && total.get() > budget; i++) {
      Map.Entry<Digest, Entry> victim = byAge.get(i);
      if (victim.getValue().pinned) {
        continue;
      }
      try {
        Files.deleteIfExists(paths.blob(victim.getKey()));
        forget(victim.getKey(), victim.getValue());
        log.debug(
            "evicted {} ({} bytes) over the disk budget", victim.getKey(), victim.getValue().size);
      } catch (IOException e) {
        log.warn("cannot evict {}: {}", victim.getKey(), e.toString());
      }
    }
  }

  private void forget(Digest digest, Entry e) {
    if (index.remove(digest, e)) {
      total.addAndGet(-e.size);
    }
  }

  private static void touch(Path path) {
    try {
      // The file time keeps the LRU order across restarts.
      Files.setLastModifiedTime(path, FileTime.fromMillis(System.currentTimeMillis()));
    } catch (NoSuchFileException e) {
      // Evicted meanwhile; the caller opens it next and reports a miss.
    } catch (IOException e) {
      log.debug("cannot touch {}: {}", path, e.toString());
    }
  }
}
