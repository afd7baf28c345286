package dev.berth.storage;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * The free space of the data directory's file system, and the writes that failed on it. Below
 * {@link #RESERVE} free bytes the disk counts as full: nothing new is cached (pulls stream through
 * from the upstream, verified, unstored) while what is stored is still served. Thread-safe.
 */
public final class DiskSpace {
  /** Free bytes kept back: below this the disk counts as full. */
  public static final long RESERVE = 1 << 20;

  private final Path dir;
  private final LongAdder noSpace = new LongAdder();
  private final LongAdder otherFailures = new LongAdder();

  public DiskSpace(Path dir) {
    this.dir = dir;
  }

  /** The bytes a new file may take, or {@link Long#MAX_VALUE} when the system will not say. */
  public long usable() {
    try {
      FileStore store = Files.getFileStore(dir);
      return store.getUsableSpace();
    } catch (IOException e) {
      return Long.MAX_VALUE;
    }
  }

  /** Whether {@code bytes} more (0 when not known) fit with the reserve left over. */
  public boolean hasRoomFor(long bytes) {
    long usable = usable();
    return usable == Long.MAX_VALUE || usable - RESERVE >= Math.max(bytes, 0);
  }

  /** Counts a write that failed, by its cause. */
  public void writeFailed(IOException e) {
    (isNoSpace(e) ? noSpace : otherFailures).increment();
  }

  /** Counts a write not even tried: the disk had no room for it. */
  public void refused() {
    noSpace.increment();
  }

  /** Writes that failed or were refused for lack of space. */
  public long noSpaceFailures() {
    return noSpace.sum();
  }

  /** Writes that failed for another reason. */
  public long otherFailures() {
    return otherFailures.sum();
  }

  /** A line for {@code /readyz} while the disk is full; empty otherwise. */
  public Optional<String> problem() {
    long usable = usable();
    if (usable >= RESERVE) {
      return Optional.empty();
    }
    return Optional.of(
        "disk: full ("
            + usable
            + " bytes free in the data directory): new content is neither cached nor accepted;"
            + " stored content is still served");
  }

  /** Whether {@code e} or one of its causes is the file system's "no space left". */
  public static boolean isNoSpace(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message != null && message.contains("No space left on device")) {
        return true;
      }
    }
    return false;
  }
}
