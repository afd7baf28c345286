package dev.berth.pull;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.stream.StreamMessage;
import com.linecorp.armeria.common.stream.SubscriptionOption;
import com.linecorp.armeria.common.util.BlockingTaskExecutor;
import dev.berth.errors.OciError;
import dev.berth.errors.RegistryException;
import dev.berth.errors.UpstreamException;
import dev.berth.metrics.BerthMetrics;
import dev.berth.oci.Digest;
import dev.berth.storage.BlobStore;
import dev.berth.storage.BlobWriter;
import dev.berth.storage.ChunkDrain;
import dev.berth.storage.ChunkHasher;
import dev.berth.storage.DiskSpace;
import dev.berth.storage.Growth;
import dev.berth.storage.StoredBlob;
import dev.berth.upstream.Exchange;
import dev.berth.upstream.UpstreamCall;
import dev.berth.upstream.UpstreamClient;
import dev.berth.upstream.UpstreamFailure;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One download of one blob from an upstream into the store's {@link BlobWriter}, read by every
 * client that asks for the blob meanwhile. The bytes are hashed as they arrive; they are committed
 * under their digest only when the hash matches, and are discarded otherwise. A body cut short is
 * resumed with {@code Range} from the last byte received. The download does not depend on any
 * client: it goes on when they leave, and its failure reaches all of them. Thread-safe.
 */
final class BlobFill implements GrowingContent {
  private static final Logger log = LoggerFactory.getLogger(BlobFill.class);
  private static final int MAX_RESUMES = 3;

  /** Chunks requested ahead of the disk: at most this many are in memory per download. */
  private static final int WINDOW = 64;

  private final Digest digest;
  private final UpstreamClient client;
  private final UpstreamCall call;
  private final BlobStore store;
  private final BerthMetrics metrics;
  private final BlockingTaskExecutor blocking;
  private final Duration idleTimeout;
  private final ChunkHasher hasher;

  /** Completes with the size (-1 when unknown) once the upstream has started to send. */
  final CompletableFuture<Long> started = new CompletableFuture<>();

  /** Completes once the blob is verified and stored, or fails for every reader. */
  final CompletableFuture<StoredBlob> done = new CompletableFuture<>();

  /** How far the temporary file has got; complete once verified, before it is committed. */
  private final Growth growth = new Growth(0);

  private volatile long size = -1;
  private volatile long lastProgressNanos = System.nanoTime();

  /** The bytes so far, from {@link #start()} on; readers follow it until and after the commit. */
  private volatile @Nullable BlobWriter out;

  private final AtomicBoolean claimed = new AtomicBoolean();
  private int resumes;

  /** Set when the fill failed for lack of disk space: the blob may still be streamed through. */
  volatile boolean noRoom;

  /** The body being read now; a stalled one is abandoned and its late signals ignored. */
  private volatile @Nullable Writer reading;

  BlobFill(
      Digest digest,
      UpstreamClient client,
      UpstreamCall call,
      BlobStore store,
      BerthMetrics metrics,
      BlockingTaskExecutor blocking,
      Duration idleTimeout) {
    this.digest = digest;
    this.client = client;
    this.call = call;
    this.store = store;
    this.metrics = metrics;
    this.blocking = blocking;
    this.idleTimeout = idleTimeout;
    this.hasher = new ChunkHasher(digest.newHasher());
    done.whenComplete(
        (p, e) -> {
          if (e != null) {
            growth.fail(e);
          }
        });
  }

  /** Whether the caller is the one to {@link #start()} this fill: true once only. */
  boolean claimStart() {
    return claimed.compareAndSet(false, true);
  }

  /** Starts writing the blob and sends the first request. */
  void start() {
    try {
      out = store.writer(digest);
    } catch (IOException e) {
      store.disk().writeFailed(e);
      noRoom = DiskSpace.isNoSpace(e);
      fail(OciError.UNAVAILABLE.with(call.description() + ": cannot store the blob: " + e));
      return;
    }
    ScheduledFuture<?> watchdog =
        blocking.scheduleWithFixedDelay(this::checkIdle, 1, 1, TimeUnit.SECONDS);
    done.whenComplete((p, e) -> watchdog.cancel(false));
    request();
  }

  private void request() {
    client
        .exchange(call.from(written()))
        .whenComplete(
            (x, e) -> {
              if (e != null) {
                onError(UpstreamFailure.unwrap(e));
              } else {
                onHeaders(x);
              }
            });
  }

  private void onHeaders(Exchange x) {
    int status = x.status();
    boolean resumed = written() > 0;
    if ((!resumed && status == 200) || (resumed && status == 206)) {
      if (!resumed) {
        size = x.headers().contentLength();
        if (!store.disk().hasRoomFor(size)) {
          store.disk().refused();
          noRoom = true;
          x.body().abort();
          fail(
              OciError.UNAVAILABLE.with(
                  call.description() + ": the disk is full: no room for " + size + " bytes"));
          return;
        }
        started.complete(size);
      }
      Writer writer = new Writer(x.body());
      reading = writer;
      // On the connection's own event loop (the default): Armeria pauses and resumes reading the
      // connection as chunks are queued and taken, and taking them on another thread races with
      // the pause, which can leave the connection paused for good.
      x.body().subscribe(writer, SubscriptionOption.WITH_POOLED_OBJECTS);
      return;
    }
    x.body().abort();
    if (resumed) {
      onError(
          new UpstreamException(
              call.description()
                  + ": resuming at byte "
                  + written()
                  + ", "
                  + x.endpoint()
                  + " answered "
                  + x.headers().status()
                  + " instead of 206",
              false,
              status,
              null));
    } else {
      fail(UpstreamFailure.answered(call, x, OciError.BLOB_UNKNOWN));
    }
  }

  /**
   * Writes and hashes the body's chunks in order on the blocking pool, in batches ({@link
   * ChunkDrain}), then handles its end or error. {@link #WINDOW} chunks are asked for ahead, so the
   * network and the disk work at the same time while memory stays bounded.
   */
  private final class Writer extends ChunkDrain {
    private final StreamMessage<HttpData> body;

    Writer(StreamMessage<HttpData> body) {
      super(blocking, WINDOW);
      this.body = body;
    }

    @Override
    protected void write(List<HttpData> chunks) throws IOException {
      // Under the fill's lock, so that a stall abandoning this body sees a settled byte count.
      synchronized (BlobFill.this) {
        // A body abandoned as stalled: its bytes are not this fill's any more.
        if (reading == this && !done.isDone()) {
          BlobFill.this.write(chunks);
        }
      }
    }

    @Override
    protected void end(@Nullable Throwable failure) {
      synchronized (BlobFill.this) {
        if (reading != this) {
          return;
        }
        try {
          if (failure == null) {
            onBodyEnd();
          } else {
            BlobFill.this.onError(failure);
          }
        } catch (RuntimeException e) {
          fail(UpstreamFailure.of(call, e));
        }
      }
    }
  }

  private long written() {
    return growth.length();
  }

  private void write(List<HttpData> chunks) throws IOException {
    ByteBuffer[] bufs = new ByteBuffer[chunks.size()];
    List<ByteBuf> raw = new ArrayList<>(bufs.length);
    long n = 0;
    for (int i = 0; i < bufs.length; i++) {
      ByteBuf b = chunks.get(i).byteBuf();
      raw.add(b);
      bufs[i] = b.nioBuffer();
      n += bufs[i].remaining();
    }
    hasher.add(raw);
    BlobWriter file = Objects.requireNonNull(out, "opened by start()");
    try {
      file.write(bufs);
    } catch (IOException e) {
      store.disk().writeFailed(e);
      throw new StoreFailure(e);
    }
    metrics.bytesFetched(n);
    lastProgressNanos = System.nanoTime();
    growth.advance(n);
  }

  private void onBodyEnd() {
    if (size >= 0 && written() < size) {
      onError(
          new UpstreamException(
              call.description() + ": body ended at byte " + written() + " of " + size,
              true,
              0,
              null));
      return;
    }
    Digest actual = digest.finish(hasher.finish());
    if (!actual.equals(digest)) {
      fail(
          OciError.UPSTREAM_INVALID.with(
              call.description()
                  + ": upstream sent "
                  + written()
                  + " bytes whose digest is "
                  + actual
                  + "; nothing was stored"));
      return;
    }
    // Readers may send the last byte now: the bytes are verified. Making them durable and
    // committing them follows, without holding up the clients.
    growth.complete();
    try {
      StoredBlob blob = Objects.requireNonNull(out, "opened by start()").commit(false);
      size = written();
      done.complete(blob);
    } catch (IOException e) {
      fail(OciError.UPSTREAM_UNAVAILABLE.with(call.description() + ": cannot store: " + e));
    }
  }

  private void onError(Throwable t) {
    if (t instanceof StoreFailure f) {
      // The upstream is not at fault: asking it again would not help.
      fail(OciError.UNAVAILABLE.with(call.description() + ": cannot store: " + f.getCause()));
      return;
    }
    boolean temporary = UpstreamFailure.retry(t) == UpstreamFailure.Retry.AGAIN;
    if (done.isDone()) {
      return;
    }
    if (temporary && written() > 0 && resumes < MAX_RESUMES && started.isDone()) {
      resumes++;
      log.info(
          "{}: interrupted at byte {} ({}); resuming", call.description(), written(), t.toString());
      request();
      return;
    }
    fail(t instanceof RegistryException r ? r : UpstreamFailure.of(call, t));
  }

  /**
   * A body that stalls for {@code idleTimeout} is abandoned; like a cut one, it is resumed with
   * {@code Range} on a new request while resumes remain, and fails the fill otherwise.
   */
  private void checkIdle() {
    if (done.isDone() || System.nanoTime() - lastProgressNanos <= idleTimeout.toNanos()) {
      return;
    }
    Writer stalled;
    synchronized (this) {
      stalled = reading;
      reading = null;
    }
    if (stalled == null) {
      fail(
          UpstreamFailure.of(
              call, new TimeoutException("no answer for " + idleTimeout.toSeconds() + " s")));
      return;
    }
    lastProgressNanos = System.nanoTime();
    log.info("{}: no bytes at byte {}: {}", call.description(), written(), stalled.describe());
    stalled.body.abort();
    onError(
        new UpstreamException(
            call.description() + ": no bytes for " + idleTimeout.toSeconds() + " s",
            true,
            0,
            new TimeoutException()));
  }

  private void fail(RegistryException e) {
    if (!started.isDone()) {
      started.completeExceptionally(e);
    }
    if (done.completeExceptionally(e)) {
      log.warn("{}", e.getMessage());
      BlobWriter file = out;
      if (file != null) {
        file.abort();
      }
    }
  }

  /** A write to the temporary file failed: not the upstream's doing, so nothing is resumed. */
  private static final class StoreFailure extends IOException {
    private static final long serialVersionUID = 1L;

    StoreFailure(IOException cause) {
      super(cause);
    }
  }

  @Override
  public Growth growth() {
    return growth;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public SeekableByteChannel open() throws IOException {
    return Objects.requireNonNull(out, "readers follow a started fill").reader();
  }
}
