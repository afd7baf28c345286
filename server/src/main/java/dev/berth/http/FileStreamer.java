package dev.berth.http;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.berth.metrics.BerthMetrics;
import dev.berth.pull.Content;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.Executor;

/**
 * Streams a byte range of {@link Content} to a client in 1 MiB direct buffers, one in flight at a
 * time, so the heap does not grow with the blob. Content still being downloaded is followed as it
 * grows; its last byte is held back until the download is verified, so a client never receives a
 * whole blob that failed verification: it sees the connection cut instead.
 */
final class FileStreamer {
  private static final int CHUNK = 1 << 20;
  private static final int BATCH = 256 << 10;

  private final HttpResponseWriter res;
  private final FileChannel channel;
  private final Content content;
  private final long end;
  private final Executor blocking;
  private final ServiceRequestContext ctx;
  private final BerthMetrics metrics;
  private long position;

  private FileStreamer(
      ServiceRequestContext ctx,
      HttpResponseWriter res,
      FileChannel channel,
      Content content,
      long start,
      long end,
      BerthMetrics metrics) {
    this.ctx = ctx;
    this.res = res;
    this.channel = channel;
    this.content = content;
    this.position = start;
    this.end = end;
    this.blocking = ctx.blockingTaskExecutor();
    this.metrics = metrics;
  }

  /**
   * A response with {@code headers} and bytes {@code start} to {@code end} (exclusive; -1 for
   * "until the content is complete") of {@code content}.
   */
  static HttpResponse stream(
      ServiceRequestContext ctx,
      ResponseHeaders headers,
      Content content,
      long start,
      long end,
      BerthMetrics metrics)
      throws IOException {
    FileChannel channel = content.open();
    HttpResponseWriter res = HttpResponse.streaming();
    res.write(headers);
    res.whenComplete().handle((v, e) -> closeQuietly(channel));
    new FileStreamer(ctx, res, channel, content, start, end, metrics).next();
    return res;
  }

  private void next() {
    if (!res.isOpen()) {
      return;
    }
    if (end >= 0 && position >= end) {
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
      res.abort();
    } else if (complete) {
      if (end < 0) {
        res.close();
      } else {
        res.close(new IOException("content ended at byte " + position + " before " + end));
      }
    } else {
      // Wait for one byte more than is held back, and for a batch, so that a reader close
      // behind the download does not send slivers.
      long target = end >= 0 ? Math.min(position + BATCH, end) : position + BATCH;
      content
          .awaitBeyond(Math.max(position + 1, target))
          .thenRun(() -> ctx.eventLoop().execute(this::next));
    }
  }

  private void send(int length) {
    ByteBuf buf = ctx.alloc().directBuffer(length);
    try {
      while (buf.isWritable()) {
        int read = buf.writeBytes(channel, position + buf.readableBytes(), buf.writableBytes());
        if (read < 0) {
          throw new IOException("file ended at byte " + (position + buf.readableBytes()));
        }
      }
    } catch (IOException e) {
      buf.release();
      res.close(e);
      return;
    }
    position += length;
    metrics.bytesServed(length);
    if (!res.tryWrite(HttpData.wrap(buf))) {
      if (buf.refCnt() > 0) {
        buf.release();
      }
      return;
    }
    res.whenConsumed().thenRun(this::next);
  }

  private static Void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // Nothing to do: the response is over.
    }
    return null;
  }
}
