package dev.berth.pull;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Bytes of a blob that may still be growing: a stored blob (complete) or a download or upload in
 * progress that several clients read while it is written.
 */
public interface Content {
  /** How many bytes can be read now. */
  long available();

  /** The total size, or -1 while it is not known. */
  long size();

  /** Whether every byte is there and verified. */
  boolean isComplete();

  /**
   * Completes once more than {@code position} bytes are available, or the content is complete or
   * failed; never fails itself.
   */
  CompletableFuture<Void> awaitBeyond(long position);

  /** The failure of a download, or null. A reader that sees it must stop and report it. */
  @Nullable Throwable failure();

  /** Opens the bytes for reading; the caller closes it. */
  SeekableByteChannel open() throws IOException;
}
