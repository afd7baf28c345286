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
import java.util.Optional;
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
  private final BlobIndex index = new BlobIndex();

  /** How often a blob's file time is brought up to date while it is being used. */
  private static final long TOUCH_EVERY_MILLIS = 60_000;

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
      index.add(f.digest(), f.size(), Files.exists(paths.pin(f.digest())));
    }
  }

  /** The blob under {@code digest}, marked as just used; empty when it is not stored. */
  @Override
  public Optional<StoredBlob> find(Digest digest) {
    Optional<BlobIndex.Entry> held = index.get(digest);
    if (held.isEmpty()) {
      return Optional.empty();
    }
    Path path = paths.blob(digest);
    if (!Files.exists(path)) {
      index.remove(digest, held.get());
      return Optional.empty();
    }
    index.touch(digest);
    if (index.dueForSave(digest, TOUCH_EVERY_MILLIS)) {
      touch(path);
    }
    return Optional.of(new FileBlob(path, held.get().size()));
  }

  /** Whether {@code digest} is stored, without marking it used. */
  @Override
  public boolean contains(Digest digest) {
    return index.contains(digest);
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
  public StoredBlob adopt(Path file, Digest digest, long size, boolean pinned) throws IOException {
    Path target = paths.blob(digest);
    if (pinned) {
      // The marker first: a crash between the two leaves a pin without a blob, never the reverse.
      writePin(digest);
    }
    AtomicFiles.move(file, target);
    index.add(digest, size, pinned);
    evict();
    return new FileBlob(target, size);
  }

  /**
   * Keeps the stored blob {@code digest} from eviction from now on (content pushed again, or
   * mounted); false when it is not stored.
   */
  @Override
  public boolean pin(Digest digest) throws IOException {
    if (!index.contains(digest) || !Files.exists(paths.blob(digest))) {
      return false;
    }
    writePin(digest);
    return index.pin(digest);
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
    return index.total();
  }

  private void evict() {
    index.evict(budget, d -> Files.deleteIfExists(paths.blob(d)));
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
