package dev.berth.push;

import com.linecorp.armeria.common.HttpObject;
import com.linecorp.armeria.common.stream.StreamMessage;
import dev.berth.errors.OciError;
import dev.berth.oci.Digest;
import dev.berth.pull.Content;
import dev.berth.storage.BlobStore;
import dev.berth.storage.Growth;
import dev.berth.storage.UploadStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blob upload sessions: request bodies are appended to a session in the {@link UploadStore} as they
 * stream in (never held in memory), hashed on the way, and placed under the digest only when the
 * client's digest matches. Sessions survive a restart (the hash is then recomputed from the stored
 * bytes) and expire after {@code ttl} without a write. Thread-safe; one write at a time per
 * session.
 */
public final class Uploads {
  private static final Logger log = LoggerFactory.getLogger(Uploads.class);

  private final UploadStore store;
  private final BlobStore blobs;
  private final Executor blocking;
  private final Duration ttl;
  private final Map<String, UploadSession> open = new ConcurrentHashMap<>();

  public Uploads(UploadStore store, BlobStore blobs, Executor blocking, Duration ttl)
      throws IOException {
    this.store = store;
    this.blobs = blobs;
    this.blocking = blocking;
    this.ttl = ttl;
    expire();
  }

  /**
   * A cross-repository mount: pins blob {@code digest} when it is stored (blobs are
   * content-addressed, so any repository's copy will do); false when it is not.
   */
  public boolean mount(Digest digest) {
    try {
      return blobs.pin(digest);
    } catch (IOException e) {
      throw cannotStore(e);
    }
  }

  /** Starts an empty session; returns its id. */
  public String start() throws IOException {
    String id = UUID.randomUUID().toString();
    store.create(id);
    open.put(id, new UploadSession(id, 0, Digest.sha256()));
    return id;
  }

  /** The number of bytes session {@code id} holds. */
  public long size(String id) {
    return session(id).size;
  }

  /**
   * Appends {@code body} to session {@code id}. {@code expectedStart} is where the client says the
   * chunk starts ({@code Content-Range}), or -1 when it did not say; a chunk that does not start at
   * the session's end fails with {@link ChunkOutOfOrder}. Completes with the new size.
   */
  public CompletableFuture<Long> append(
      String id, StreamMessage<? extends HttpObject> body, long expectedStart) {
    UploadSession s = session(id);
    if (expectedStart >= 0 && expectedStart != s.size) {
      body.abort();
      return CompletableFuture.failedFuture(new ChunkOutOfOrder(s.size));
    }
    if (!s.busy.compareAndSet(false, true)) {
      body.abort();
      return CompletableFuture.failedFuture(new ChunkOutOfOrder(s.size));
    }
    UploadStore.Appender out;
    try {
      out = store.append(id);
    } catch (IOException e) {
      s.busy.set(false);
      body.abort();
      return CompletableFuture.failedFuture(cannotStore(e));
    }
    return s.append(body, out, blocking, blobs.disk()).whenComplete((n, e) -> s.busy.set(false));
  }

  /**
   * Appends {@code body}, then checks that the session holds {@code digest} and places it under
   * that digest, pinned; the session ends either way except on a chunk out of order.
   */
  public CompletableFuture<Long> complete(
      String id, Digest digest, StreamMessage<? extends HttpObject> body, long expectedStart) {
    Growth growth = session(id).growth;
    return append(id, body, expectedStart)
        .thenApplyAsync(
            size -> {
              UploadSession s = session(id);
              Digest actual = actualDigest(s, digest);
              if (!actual.equals(digest)) {
                cancel(id);
                throw OciError.DIGEST_INVALID.with(
                    "the upload holds "
                        + size
                        + " bytes with digest "
                        + actual
                        + ", not "
                        + digest);
              }
              try {
                if (!blobs.pin(digest)) {
                  store.commit(id, digest, size);
                }
              } catch (IOException e) {
                throw cannotStore(e);
              } finally {
                cancel(id);
              }
              return size;
            },
            blocking)
        .whenComplete(
            (size, e) -> {
              if (e != null) {
                growth.fail(e);
              } else {
                growth.complete();
              }
            });
  }

  /**
   * The bytes of session {@code id} as they stream in, for a reader that follows them: {@code size}
   * bytes in all, complete once {@link #complete} has verified them as {@code digest}; then also
   * found in the blob store, where the session's bytes have moved.
   */
  public Content follow(String id, Digest digest, long size) {
    UploadSession s = session(id);
    return new UploadContent(s.growth, id, size, digest, store, blobs);
  }

  /** Ends session {@code id} and deletes what it received. */
  public void cancel(String id) {
    open.remove(id);
    try {
      store.delete(id);
    } catch (IOException e) {
      log.warn("cannot remove upload {}: {}", id, e.toString());
    }
  }

  /** Deletes sessions that have not been written to for longer than the time to live. */
  public void expire() throws IOException {
    for (String id : store.idleSince(Instant.now().minus(ttl))) {
      open.remove(id);
      store.delete(id);
      log.info("upload {} expired after {} without a write", id, ttl);
    }
  }

  private UploadSession session(String id) {
    UploadSession s = open.get(id);
    if (s != null) {
      return s;
    }
    // A session from before a restart: its stored bytes are all there is.
    OptionalLong size;
    try {
      size = store.size(id);
    } catch (IOException e) {
      throw OciError.BLOB_UPLOAD_UNKNOWN.with("upload session " + id + " cannot be read");
    }
    if (size.isEmpty()) {
      throw OciError.BLOB_UPLOAD_UNKNOWN.with("no upload session " + id);
    }
    return open.computeIfAbsent(id, k -> new UploadSession(id, size.getAsLong(), null));
  }

  /** The digest of what the session holds, in {@code wanted}'s algorithm. */
  private Digest actualDigest(UploadSession s, Digest wanted) {
    if (s.sha256 != null && wanted.algorithm().equals("sha256")) {
      return wanted.finish(s.sha256);
    }
    MessageDigest hasher = wanted.newHasher();
    try (InputStream in = Channels.newInputStream(store.read(s.id))) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        hasher.update(buf, 0, n);
      }
    } catch (IOException e) {
      throw cannotStore(e);
    }
    return wanted.finish(hasher);
  }

  static RuntimeException cannotStore(IOException e) {
    return OciError.UNAVAILABLE.with("the upload cannot be stored: " + e.getMessage());
  }

  /** A chunk that does not start where the session ends; the answer is 416 with the range held. */
  public static final class ChunkOutOfOrder extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final long size;

    ChunkOutOfOrder(long size) {
      super("the upload holds " + size + " bytes; a chunk must start at byte " + size);
      this.size = size;
    }

    /** What the session holds. */
    public long size() {
      return size;
    }
  }
}
