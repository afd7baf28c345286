package dev.berth.storage;

import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * How far a file being written has got, for readers that follow it while it grows: its length,
 * whether every byte is there, and why it failed if it did. Readers wait for a position and are
 * woken once it is passed, not at every write. Thread-safe; one writer at a time.
 */
public final class Growth {
  private volatile long length;
  private volatile boolean complete;
  private volatile @Nullable Throwable failure;
  private volatile CompletableFuture<Void> progress = new CompletableFuture<>();

  /** A file that has {@code length} bytes so far. */
  public Growth(long length) {
    this.length = length;
  }

  /** How many bytes are written. */
  public long length() {
    return length;
  }

  /** Whether every byte is written and good; {@link #length()} is final then. */
  public boolean isComplete() {
    return complete;
  }

  /** Why the file will not be completed, or null. */
  public @Nullable Throwable failure() {
    return failure;
  }

  /** The writer wrote {@code n} more bytes. */
  @SuppressWarnings("NonAtomicVolatileUpdate") // One writer at a time.
  public void advance(long n) {
    length += n;
    wake();
  }

  /** The writer is done and the bytes are good. */
  public void complete() {
    complete = true;
    wake();
  }

  /** The writer failed: readers stop. */
  public void fail(Throwable cause) {
    failure = cause;
    wake();
  }

  /**
   * Completes once more than {@code position} bytes are written, or the file is complete or failed;
   * never fails itself. Checked at each write on the writer's thread.
   */
  public CompletableFuture<Void> awaitBeyond(long position) {
    CompletableFuture<Void> beyond = new CompletableFuture<>();
    awaitBeyond(position, beyond);
    return beyond;
  }

  private void awaitBeyond(long position, CompletableFuture<Void> beyond) {
    // The future first, then the state: a write in between completes the future read.
    CompletableFuture<Void> next = progress;
    if (length > position || complete || failure != null) {
      beyond.complete(null);
    } else {
      next.thenRun(() -> awaitBeyond(position, beyond));
    }
  }

  private void wake() {
    CompletableFuture<Void> previous = progress;
    progress = new CompletableFuture<>();
    previous.complete(null);
  }
}
