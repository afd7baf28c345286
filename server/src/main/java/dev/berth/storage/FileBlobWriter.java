package dev.berth.storage;

import dev.berth.oci.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A temporary file under {@code tmp/}, renamed under its digest by {@link #commit}. */
public final class FileBlobWriter implements BlobWriter {
  private static final Logger log = LoggerFactory.getLogger(FileBlobWriter.class);

  private final FileBlobStore store;
  private final Digest digest;
  private final Path temp;
  private final FileChannel out;
  private volatile long written;
  private volatile boolean finished;
  private @Nullable StoredBlob committed;

  FileBlobWriter(FileBlobStore store, Digest digest, Path temp) throws IOException {
    this.store = store;
    this.digest = digest;
    this.temp = temp;
    Files.createDirectories(StoragePaths.above(temp, 1));
    this.out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }

  @Override
  @SuppressWarnings("NonAtomicVolatileUpdate") // One writer at a time.
  public void write(ByteBuffer... bufs) throws IOException {
    written += writeFully(out, bufs);
  }

  /** Writes every remaining byte of {@code bufs} to {@code out}; returns how many. */
  public static long writeFully(FileChannel out, ByteBuffer... bufs) throws IOException {
    long n = 0;
    for (ByteBuffer b : bufs) {
      n += b.remaining();
    }
    for (long left = n; left > 0; ) {
      left -= out.write(bufs);
    }
    return n;
  }

  @Override
  public long written() {
    return written;
  }

  @Override
  public synchronized SeekableByteChannel reader() throws IOException {
    StoredBlob blob = committed;
    return blob != null ? blob.open() : FileChannel.open(temp, StandardOpenOption.READ);
  }

  @Override
  public StoredBlob commit(boolean pinned) throws IOException {
    // Flushed before the lock: readers opening meanwhile do not wait for the disk.
    out.force(false);
    out.close();
    synchronized (this) {
      // The rename and the switch of readers to the stored file are one step for them.
      StoredBlob blob = store.adopt(temp, digest, written, pinned);
      committed = blob;
      // Only now: a commit that failed leaves the temporary file to abort().
      finished = true;
      return blob;
    }
  }

  @Override
  public void abort() {
    if (finished) {
      return;
    }
    finished = true;
    try {
      out.close();
      Files.deleteIfExists(temp);
    } catch (IOException e) {
      log.warn("cannot remove {}: {}", temp, e.toString());
    }
  }
}
