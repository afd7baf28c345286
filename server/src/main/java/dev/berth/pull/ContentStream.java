package dev.berth.pull;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.stream.StreamWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.util.concurrent.Executor;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Streams a byte range of {@link Content} into a body, a client's response or a request to an
 * upstream, in 1 MiB direct buffers, one in flight at a time, so the heap does not grow with the
 * blob. Content still being written is followed as it grows; its last byte is held back until it is
 * complete (a download verified), so a reader never receives a whole blob that failed verification:
 * it sees the stream cut instead. Reads run on the blocking executor, one step at a time.
 */
public final class ContentStream {
  private static final int CHUNK = 1 << 20;

  /**
   * Where the chunks come from: a pooled allocator, whose arenas keep and reuse their memory. The
   * channel's allocator serves a 1 MiB buffer with a fresh native allocation each time, and the C
   * library keeps what is freed, so the process grew with every client.
   */
  private static final ByteBufAllocator BUFFERS = PooledByteBufAllocator.DEFAULT;

  private static final int BATCH = CHUNK;

  private final StreamWriter<? super HttpData> res;
  private final SeekableByteChannel channel;
  private final Content content;
  private final long end;
  private final Executor loop;
  private final Executor blocking;
  private final LongConsumer sent;
  private long position;

  /** The chunk buffer; one reference is this stream's own. Touched by one step at a time. */
  private @Nullable ByteBuf buffer;

  private ContentStream(
      StreamWriter<? super HttpData> res,
      SeekableByteChannel channel,
      Content content,
      long start,
      long end,
      Executor loop,
      Executor blocking,
      LongConsumer sent) {
    this.res = res;
    this.channel = channel;
    this.content = content;
    this.position = start;
    this.end = end;
    this.loop = loop;
    this.blocking = blocking;
    this.sent = sent;
  }

  /**
   * Writes bytes {@code start} to {@code end} (exclusive; -1 for "until the content is complete")
   * of {@code content} into {@code out}, then closes it; {@code sent} counts the bytes written.
   * Steps between reads run on {@code loop}, reads on {@code blocking}.
   */
  public static void write(
      StreamWriter<? super HttpData> out,
      Content content,
      long start,
      long end,
      Executor loop,
      Executor blocking,
      LongConsumer sent)
      throws IOException {
    SeekableByteChannel channel = content.open();
    out.whenComplete().handle((v, e) -> closeQuietly(channel));
    new ContentStream(out, channel, content, start, end, loop, blocking, sent).next();
  }

  private void next() {
    if (!res.isOpen()) {
      releaseBuffer();
      return;
    }
    if (end >= 0 && position >= end) {
      releaseBuffer();
      res.close();
      return;
    }
    // Completion first, then the byte count: once complete, the count is final. Reading them in
    // the other order, or twice, could see a finished download as one byte short.
    boolean complete = content.isComplete();
    long available = content.available();
    // Until the download is verified, its last byte is held back.
    long limit = complete ? available : Math.max(0, available - 1);
    if (end >= 0) {
      limit = Math.min(limit, end);
    }
    if (limit > position) {
      long length = Math.min(CHUNK, limit - position);
      blocking.execute(() -> send((int) length));
    } else if (content.failure() != null) {
      // The download logged its failure once; cutting the stream tells the client.
      releaseBuffer();
      res.abort();
    } else if (complete) {
      releaseBuffer();
      if (end < 0) {
        res.close();
      } else {
        res.close(new IOException("content ended at byte " + position + " before " + end));
      }
    } else {
      // Wait for one byte more than is held back, and for a whole chunk, so that a reader close
      // behind the download does not send slivers or wake for each of the download's writes.
      long target = end >= 0 ? Math.min(position + BATCH, end) : position + BATCH;
      content.awaitBeyond(Math.max(position + 1, target)).thenRun(() -> loop.execute(this::next));
    }
  }

  /** Reads up to {@code length} bytes at {@code at} into {@code buf}; -1 at the end. */
  private int read(ByteBuf buf, long at, int length) throws IOException {
    if (channel instanceof FileChannel file) {
      // A positional read: no seek between chunks.
      return buf.writeBytes(file, at, length);
    }
    channel.position(at);
    buf.ensureWritable(length);
    ByteBuffer dst = buf.nioBuffer(buf.writerIndex(), length);
    int n = channel.read(dst);
    if (n > 0) {
      buf.writerIndex(buf.writerIndex() + n);
    }
    return n;
  }

  private void send(int length) {
    ByteBuf buf = buffer(length);
    try {
      while (buf.readableBytes() < length) {
        int read = read(buf, position + buf.readableBytes(), length - buf.readableBytes());
        if (read < 0) {
          throw new IOException("file ended at byte " + (position + buf.readableBytes()));
        }
      }
    } catch (IOException e) {
      releaseBuffer();
      res.close(e);
      return;
    }
    position += length;
    sent.accept(length);
    // The network gets a reference of its own and drops it once the bytes are on the socket.
    if (!res.tryWrite(HttpData.wrap(buf.retain()))) {
      buf.release();
      releaseBuffer();
      return;
    }
    // Also when the response was aborted meanwhile, so that next() releases the buffer.
    res.whenConsumed().handle((v, e) -> run(this::next));
  }

  /**
   * This stream's buffer, cleared, for at least {@code length} bytes: the one it had when the
   * network is done with it, so a stream allocates once rather than once per chunk; a new one
   * otherwise. A stream of a known length takes no more than it needs.
   */
  private ByteBuf buffer(int length) {
    ByteBuf held = buffer;
    if (held == null || held.refCnt() != 1 || held.capacity() < length) {
      releaseBuffer();
      int size = end >= 0 ? (int) Math.max(length, Math.min(CHUNK, end - position)) : CHUNK;
      held = BUFFERS.directBuffer(size, size);
      buffer = held;
    }
    return held.clear();
  }

  private void releaseBuffer() {
    ByteBuf held = buffer;
    if (held != null) {
      held.release();
      buffer = null;
    }
  }

  private Void run(Runnable step) {
    loop.execute(step);
    return null;
  }

  private static Void closeQuietly(SeekableByteChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // Nothing to do: the response is over.
    }
    return null;
  }
}
