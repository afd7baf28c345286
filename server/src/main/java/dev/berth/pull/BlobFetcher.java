package dev.berth.pull;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.util.BlockingTaskExecutor;
import dev.berth.errors.OciError;
import dev.berth.errors.RegistryException;
import dev.berth.metrics.BerthMetrics;
import dev.berth.oci.Digest;
import dev.berth.routing.Target;
import dev.berth.storage.BlobStore;
import dev.berth.storage.CacheResult;
import dev.berth.storage.StoredBlob;
import dev.berth.upstream.UpstreamCall;
import dev.berth.upstream.UpstreamClient;
import dev.berth.upstream.UpstreamFailure;
import dev.berth.upstream.Upstreams;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Blobs for the pull path: from the store when present and the repository holds them ({@link
 * Membership}), otherwise from the upstream with one download per digest however many clients wait
 * (single flight); a client of another repository joins a download in flight only once its own
 * upstream repository has confirmed the digest. Upstream 404s are remembered for {@code
 * cache.notFoundTtl}. Thread-safe.
 */
public final class BlobFetcher {
  private final BlobStore store;
  private final Upstreams upstreams;
  private final BerthMetrics metrics;
  private final BlockingTaskExecutor blocking;
  private final Membership membership;
  private final Map<Digest, BlobFill> fills = new ConcurrentHashMap<>();

  /** The repository each download in flight was started for: the one its upstream confirmed. */
  private final Map<BlobFill, Target> fillTargets = new ConcurrentHashMap<>();

  private final NotFoundCache notFound;

  public BlobFetcher(
      BlobStore store,
      Membership membership,
      Upstreams upstreams,
      BerthMetrics metrics,
      BlockingTaskExecutor blocking) {
    this.store = store;
    this.membership = membership;
    this.upstreams = upstreams;
    this.metrics = metrics;
    this.blocking = blocking;
    this.notFound =
        new NotFoundCache(upstreams.config().cache().notFoundTtl(), OciError.BLOB_UNKNOWN);
  }

  /** What a blob request gets: the content to stream, and whether it came from the store. */
  public record Found(@Nullable Content content, boolean hit, @Nullable PassThrough through) {
    Found(Content content, boolean hit) {
      this(content, hit, null);
    }

    /** The content to serve; only for a blob not streamed through ({@code through()} null). */
    public Content stored() {
      return java.util.Objects.requireNonNull(content, "streamed through: no stored content");
    }
  }

  /**
   * The blob {@code digest} of {@code target}: stored content at once, or a download that has
   * started (its size known when the upstream sent one). Fails with BLOB_UNKNOWN or an upstream
   * error.
   */
  public CompletableFuture<Found> get(Target target, Digest digest) {
    return get(target, digest, false);
  }

  /**
   * {@link #get}; {@code confirmed} when {@code target} is known to hold {@code digest} already (so
   * a memory cache that did not keep the answer cannot send this round again).
   */
  private CompletableFuture<Found> get(Target target, Digest digest, boolean confirmed) {
    boolean member = confirmed || membership.cached(target, digest).isPresent();
    Optional<Found> held = held(digest);
    if (held.isPresent()) {
      if (member) {
        metrics.cacheRequest("blob", CacheResult.HIT);
        return CompletableFuture.completedFuture(held.get());
      }
      // Stored for some repository: served here only once this one is known to hold it.
      return membership.confirm(target, digest, null).thenCompose(t -> get(target, digest, true));
    }
    Optional<RegistryException> remembered = notFound.get(target + "@" + digest);
    if (remembered.isPresent() || target.isLocal() || isOffline(target)) {
      return CompletableFuture.failedFuture(remembered.orElseGet(() -> unknown(target, digest)));
    }
    BlobFill running = fills.get(digest);
    if (running != null && !member && !target.equals(fillTargets.get(running))) {
      return membership.confirm(target, digest, null).thenCompose(t -> get(target, digest, true));
    }
    metrics.cacheRequest("blob", CacheResult.MISS);
    if (running == null && !store.disk().hasRoomFor(0)) {
      return passThrough(target, digest);
    }
    // A fill that ended since the looks above has stored the blob: no second download.
    BlobFill fill =
        fills.computeIfAbsent(digest, d -> store.contains(d) ? null : newFill(target, d));
    if (fill == null) {
      return get(target, digest, confirmed);
    }
    if (fill.claimStart()) {
      // Outside computeIfAbsent: a fill that fails at once removes itself from the map.
      var unused =
          fill.done.whenComplete(
              (p, e) -> {
                fills.remove(digest, fill);
                fillTargets.remove(fill);
              });
      fill.start();
    }
    Target filledFor = fillTargets.getOrDefault(fill, target);
    CompletableFuture<Long> started =
        fill.started.whenComplete(
            (size, e) -> {
              if (e != null) {
                notFound.rememberIfNotFound(target + "@" + digest, e);
              }
            });
    CompletableFuture<Found> found;
    if (membership.cached(filledFor, digest).isPresent()) {
      // Known already (its manifest named it): no record to write, no thread to change.
      found = started.thenApply(size -> new Found(fill, false));
    } else {
      // The upstream answered the download for this repository: it holds the blob. The record is
      // a durable write, kept off the event loop.
      found =
          started.thenApplyAsync(
              size -> {
                membership.addBlob(filledFor, digest);
                return new Found(fill, false);
              },
              blocking);
    }
    // No room to store it: streamed through instead, before any status line was sent.
    return found.exceptionallyCompose(
        e -> fill.noRoom ? passThrough(target, digest) : CompletableFuture.failedFuture(e));
  }

  /**
   * Blob {@code digest} streamed from {@code target}'s upstream to one client, verified and not
   * stored: the disk has no room for it. Nothing is recorded either, as that too is a write.
   */
  private CompletableFuture<Found> passThrough(Target target, Digest digest) {
    store.disk().refused();
    UpstreamCall call = call(target, digest, HttpMethod.GET, "pull blob (not cached: disk full)");
    return client(target)
        .exchange(call)
        .handle(
            (x, e) -> {
              if (e != null) {
                throw UpstreamFailure.of(call, UpstreamFailure.unwrap(e));
              }
              if (x.status() != 200) {
                x.body().abort();
                throw UpstreamFailure.answered(call, x, OciError.BLOB_UNKNOWN);
              }
              long size = x.headers().contentLength();
              return new Found(null, false, new PassThrough(digest, size, x.body(), metrics));
            });
  }

  /** The blob stored, or downloaded whole and verified with only its commit still under way. */
  private Optional<Found> held(Digest digest) {
    // The fill first: it leaves the map only once its blob is stored, so a fill that ends between
    // the two looks is found in the store.
    BlobFill verified = fills.get(digest);
    Optional<Found> stored = stored(digest);
    if (stored.isPresent()) {
      return stored;
    }
    return verified != null && verified.isComplete()
        ? Optional.of(new Found(verified, true))
        : Optional.empty();
  }

  /**
   * Makes sure blob {@code digest} of {@code target} is stored, downloading it (or joining the
   * download in flight) when it is not. Completes with {@code true} when it had to be fetched.
   */
  public CompletableFuture<Boolean> ensure(Target target, Digest digest) {
    if (store.contains(digest)) {
      return CompletableFuture.completedFuture(false);
    }
    return get(target, digest)
        .thenCompose(
            found -> {
              PassThrough through = found.through();
              if (through != null) {
                through.abort();
                throw OciError.UNAVAILABLE.with(
                    target + "@" + digest + ": the disk is full: nothing new can be stored");
              }
              return found.content() instanceof BlobFill fill
                  ? fill.done.thenApply(path -> true)
                  : CompletableFuture.completedFuture(false);
            });
  }

  private boolean isOffline(Target target) {
    return !target.isLocal() && client(target).isOffline();
  }

  private RegistryException unknown(Target target, Digest digest) {
    return OciError.BLOB_UNKNOWN.with(
        target
            + "@"
            + digest
            + (isOffline(target)
                ? ": not held, and Berth is offline (offline: true): it asks no upstream"
                : ""));
  }

  /** The stored blob, if any, as content to stream. */
  public Optional<Found> stored(Digest digest) {
    return store.find(digest).map(f -> new Found(new StoredContent(f), true));
  }

  /** A blob's size (-1 when not known), and whether it came from the store. */
  public record Size(long bytes, boolean hit) {}

  /**
   * The size of blob {@code digest} without fetching it: from the store, or from an upstream {@code
   * HEAD}. On an async push target only from what Berth holds for the repository: the client asks
   * before uploading, and an async push does not depend on the upstream.
   */
  public CompletableFuture<Size> size(Target target, Digest digest) {
    return size(target, digest, false);
  }

  private CompletableFuture<Size> size(Target target, Digest digest, boolean confirmed) {
    if (!confirmed && target.forwardsAsync()) {
      // A push client asks before uploading; an async push must not wait on the upstream.
      CompletableFuture<Boolean> member =
          membership.cached(target, digest).isPresent()
              ? CompletableFuture.completedFuture(true)
              : CompletableFuture.supplyAsync(() -> membership.holds(target, digest), blocking);
      return member.thenCompose(
          held -> {
            if (!held || (store.find(digest).isEmpty() && !fills.containsKey(digest))) {
              throw unknown(target, digest);
            }
            return size(target, digest, true);
          });
    }
    Optional<StoredBlob> stored = store.find(digest);
    BlobFill inFlight = fills.get(digest);
    if ((stored.isPresent() || inFlight != null)
        && !confirmed
        && membership.cached(target, digest).isEmpty()) {
      return membership.confirm(target, digest, null).thenCompose(t -> size(target, digest, true));
    }
    if (stored.isPresent()) {
      metrics.cacheRequest("blob", CacheResult.HIT);
      return CompletableFuture.completedFuture(new Size(stored.get().size(), true));
    }
    if (inFlight != null) {
      return inFlight.started.thenApply(n -> new Size(n, false));
    }
    if (target.isLocal() || isOffline(target)) {
      return CompletableFuture.failedFuture(unknown(target, digest));
    }
    UpstreamCall call = call(target, digest, HttpMethod.HEAD, "check blob");
    return client(target)
        .fetch(call)
        .handleAsync(
            (AggregatedHttpResponse res, Throwable e) -> {
              if (e != null) {
                throw UpstreamFailure.of(call, e);
              }
              if (res.status().code() != 200) {
                throw UpstreamFailure.answered(
                    call, res, client(target).host(), OciError.BLOB_UNKNOWN);
              }
              membership.addBlob(target, digest);
              return new Size(res.headers().getLong(HttpHeaderNames.CONTENT_LENGTH, -1L), false);
            },
            blocking);
  }

  private BlobFill newFill(Target target, Digest digest) {
    UpstreamCall call = call(target, digest, HttpMethod.GET, "pull blob");
    BlobFill fill =
        new BlobFill(
            digest,
            client(target),
            call,
            store,
            metrics,
            blocking,
            target.upstreamConfig().idleTimeout());
    fillTargets.put(fill, target);
    return fill;
  }

  private UpstreamClient client(Target target) {
    return upstreams.client(target);
  }

  private static UpstreamCall call(Target target, Digest digest, HttpMethod method, String what) {
    return UpstreamCall.pull(
        method,
        target.repository().value(),
        "blobs/" + digest,
        List.of(),
        0,
        what + " " + digest + " of " + target);
  }
}
