package dev.berth.push;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpObject;
import com.linecorp.armeria.common.stream.StreamMessage;
import com.linecorp.armeria.common.stream.SubscriptionOption;
import dev.berth.errors.OciError;
import dev.berth.storage.ChunkDrain;
import dev.berth.storage.DiskSpace;
import dev.berth.storage.Growth;
import dev.berth.storage.UploadStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * One upload session: its id, its length, the hash of what it holds, the same length for readers
 * that follow it, and the append of a request body. One append at a time ({@link #busy}).
 */
final class UploadSession {
  /** Chunks of a body asked for ahead of the disk. */
  private static final int WINDOW = 32;

  final String id;
  final AtomicBoolean busy = new AtomicBoolean();
  volatile long size;

  /** The same length, for readers that follow the upload while it streams in. */
  final Growth growth;

  /** Null for a session from before a restart: its stored bytes are hashed at completion. */
  final @Nullable MessageDigest sha256;

  UploadSession(String id, long size, @Nullable MessageDigest sha256) {
    this.id = id;
    this.size = size;
    this.sha256 = sha256;
    this.growth = new Growth(size);
  }

  /**
   * Writes and hashes {@code body} into {@code out} on {@code blocking}, then closes {@code out};
   * completes with the session's new size. A failed write leaves the session as it was.
   */
  CompletableFuture<Long> append(
      StreamMessage<? extends HttpObject> body,
      UploadStore.Appender out,
      Executor blocking,
      DiskSpace disk) {
    Appender appender = new Appender(out, blocking, disk);
    body.subscribe(appender, SubscriptionOption.WITH_POOLED_OBJECTS);
    return appender.done;
  }

  /** Writes and hashes the body's chunks in order on the blocking pool, in batches. */
  private final class Appender extends ChunkDrain {
    private final UploadStore.Appender out;
    private final DiskSpace disk;
    private final CompletableFuture<Long> done = new CompletableFuture<>();

    Appender(UploadStore.Appender out, Executor blocking, DiskSpace disk) {
      super(blocking, WINDOW);
      this.out = out;
      this.disk = disk;
    }

    @Override
    @SuppressWarnings("NonAtomicVolatileUpdate") // One writer at a time per session: see busy.
    protected void write(List<HttpData> chunks) throws IOException {
      ByteBuffer[] bufs = new ByteBuffer[chunks.size()];
      ByteBuffer[] toHash = new ByteBuffer[bufs.length];
      long n = 0;
      for (int i = 0; i < bufs.length; i++) {
        bufs[i] = chunks.get(i).byteBuf().nioBuffer();
        toHash[i] = bufs[i].duplicate();
        n += bufs[i].remaining();
      }
      try {
        out.write(bufs);
      } catch (IOException e) {
        // The session goes back to what it reports, so the client can resume from there.
        disk.writeFailed(e);
        try {
          out.truncate(size);
        } catch (IOException t) {
          e.addSuppressed(t);
        }
        throw e;
      }
      if (sha256 != null) {
        for (ByteBuffer b : toHash) {
          sha256.update(b);
        }
      }
      size += n;
      growth.advance(n);
    }

    @Override
    protected void end(@Nullable Throwable failure) {
      RuntimeException cause =
          failure == null
              ? null
              : failure instanceof IOException io
                  ? Uploads.cannotStore(io)
                  : OciError.BLOB_UPLOAD_INVALID.with(
                      "the request body ended early: " + failure.getClass().getSimpleName());
      try {
        out.close();
      } catch (IOException e) {
        cause = cause != null ? cause : Uploads.cannotStore(e);
      }
      if (cause != null) {
        done.completeExceptionally(cause);
      } else {
        done.complete(size);
      }
    }
  }
}
