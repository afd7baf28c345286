package dev.berth.pull;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.stream.AbortedStreamException;
import com.linecorp.armeria.common.stream.StreamMessage;
import dev.berth.metrics.BerthMetrics;
import dev.berth.oci.Digest;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A blob streamed from the upstream to one client without being stored, when the disk has no room
 * for it: hashed as it passes, and cut before its end should the bytes not have the digest, as a
 * whole-blob client of a download is. One client, one upstream request.
 */
public final class PassThrough {
  private static final Logger log = LoggerFactory.getLogger(PassThrough.class);

  private final Digest digest;
  private final long size;
  private final StreamMessage<HttpData> body;
  private final BerthMetrics metrics;

  PassThrough(Digest digest, long size, StreamMessage<HttpData> body, BerthMetrics metrics) {
    this.digest = digest;
    this.size = size;
    this.body = body;
    this.metrics = metrics;
  }

  /** The size the upstream announced, or -1. */
  public long size() {
    return size;
  }

  /** Gives the upstream body up, for a client that will not read it. */
  public void abort() {
    body.abort();
  }

  /** The body, which fails at its end unless its bytes have the digest. Read once. */
  public StreamMessage<HttpData> verifiedBody() {
    MessageDigest hasher = digest.newHasher();
    AtomicLong bytes = new AtomicLong();
    StreamMessage<HttpData> hashed =
        body.peek(
            data -> {
              hasher.update(data.byteBuf().nioBuffer());
              bytes.addAndGet(data.length());
              metrics.bytesFetched(data.length());
              metrics.bytesServed(data.length());
            });
    CompletableFuture<StreamMessage<HttpData>> verdict = new CompletableFuture<>();
    hashed
        .whenComplete()
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                verdict.completeExceptionally(e);
                return;
              }
              Digest actual = digest.finish(hasher);
              if (actual.equals(digest)) {
                verdict.complete(StreamMessage.of());
              } else {
                // Logged once here; cutting the stream is what tells the client.
                log.warn(
                    "{} streamed through unstored: upstream sent {} bytes whose digest is {}; the"
                        + " client's stream was cut",
                    digest,
                    bytes.get(),
                    actual);
                verdict.completeExceptionally(AbortedStreamException.get());
              }
            });
    return StreamMessage.concat(hashed, StreamMessage.of(verdict));
  }
}
