package dev.berth.objectstore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.http.Abortable;

/**
 * An object's bytes as a read-only channel: one ranged {@code GET} streams from the position, read
 * after read, and a new one starts only where the position moves elsewhere. Not thread-safe.
 */
final class ObjectChannel implements SeekableByteChannel {
  private final Bucket bucket;
  private final String name;
  private final long size;
  private final Runnable missing;
  private long position;
  private @Nullable InputStream in;
  private long inAt = -1;
  private boolean open = true;

  ObjectChannel(Bucket bucket, String name, long size, Runnable missing) {
    this.bucket = bucket;
    this.name = name;
    this.size = size;
    this.missing = missing;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    ensureOpen();
    if (position >= size) {
      return -1;
    }
    if (!dst.hasRemaining()) {
      return 0;
    }
    InputStream stream = in;
    if (stream == null || inAt != position) {
      closeStream();
      try {
        stream = bucket.read(name, position);
      } catch (java.nio.file.NoSuchFileException e) {
        missing.run();
        throw e;
      }
      in = stream;
      inAt = position;
    }
    int want = (int) Math.min(dst.remaining(), size - position);
    int n;
    if (dst.hasArray()) {
      n = stream.read(dst.array(), dst.arrayOffset() + dst.position(), want);
      if (n > 0) {
        dst.position(dst.position() + n);
      }
    } else {
      byte[] buf = new byte[Math.min(want, 64 * 1024)];
      n = stream.read(buf);
      if (n > 0) {
        dst.put(buf, 0, n);
      }
    }
    if (n < 0) {
      throw new IOException(
          "object " + name + " ended at byte " + position + " of " + size + " in the object store");
    }
    position += n;
    inAt += n;
    return n;
  }

  @Override
  public int write(ByteBuffer src) {
    throw new NonWritableChannelException();
  }

  @Override
  public long position() throws IOException {
    ensureOpen();
    return position;
  }

  @Override
  public SeekableByteChannel position(long newPosition) throws IOException {
    ensureOpen();
    if (newPosition < 0) {
      throw new IllegalArgumentException("negative position " + newPosition);
    }
    position = newPosition;
    return this;
  }

  @Override
  public long size() throws IOException {
    ensureOpen();
    return size;
  }

  @Override
  public SeekableByteChannel truncate(long size) {
    throw new NonWritableChannelException();
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close() throws IOException {
    open = false;
    closeStream();
  }

  private void closeStream() throws IOException {
    InputStream stream = in;
    in = null;
    inAt = -1;
    if (stream != null) {
      if (stream instanceof Abortable request && inAt < size) {
        // Not read to its end: drop the connection rather than download the rest to reuse it.
        request.abort();
      }
      stream.close();
    }
  }

  private void ensureOpen() throws ClosedChannelException {
    if (!open) {
      throw new ClosedChannelException();
    }
  }
}
