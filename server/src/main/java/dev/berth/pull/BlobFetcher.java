package dev.berth.pull;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.util.BlockingTaskExecutor;
import dev.berth.http.OciError;
import dev.berth.http.RegistryException;
import dev.berth.metrics.BerthMetrics;
import dev.berth.oci.Digest;
import dev.berth.routing.Target;
import dev.berth.storage.BlobFile;
import dev.berth.storage.BlobStore;
import dev.berth.upstream.UpstreamCall;
import dev.berth.upstream.UpstreamClient;
import dev.berth.upstream.Upstreams;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Blobs for the pull path: from the store when present, otherwise from the upstream with one
 * download per digest however many clients wait (single flight). Upstream 404s are remembered for
 * {@code cache.notFoundTtl}. Thread-safe.
 */
public final class BlobFetcher {
  private final BlobStore store;
  private final Upstreams upstreams;
  private final BerthMetrics metrics;
  private final BlockingTaskExecutor blocking;
  private final Map<Digest, BlobFill> fills = new ConcurrentHashMap<>();
  private final NotFoundCache notFound;

  public BlobFetcher(
      BlobStore store, Upstreams upstreams, BerthMetrics metrics, BlockingTaskExecutor blocking) {
    this.store = store;
    this.upstreams = upstreams;
    this.metrics = metrics;
    this.blocking = blocking;
    this.notFound =
        new NotFoundCache(upstreams.config().cache().notFoundTtl(), OciError.BLOB_UNKNOWN);
  }

  /** What a blob request gets: the content to stream, and whether it came from the store. */
  public record Found(Content content, boolean hit) {}

  /**
   * The blob {@code digest} of {@code target}: stored content at once, or a download that has
   * started (its size known when the upstream sent one). Fails with BLOB_UNKNOWN or an upstream
   * error.
   */
  public CompletableFuture<Found> get(Target target, Digest digest) {
    Optional<Found> stored = stored(digest);
    if (stored.isPresent()) {
      metrics.cacheRequest("blob", "hit");
      return CompletableFuture.completedFuture(stored.get());
    }
    BlobFill verified = fills.get(digest);
    if (verified != null && verified.isComplete()) {
      // Every byte is here and verified; only its commit to the store is still under way.
      metrics.cacheRequest("blob", "hit");
      return CompletableFuture.completedFuture(new Found(verified, true));
    }
    Optional<RegistryException> remembered = notFound.get(target + "@" + digest);
    if (remembered.isPresent() || target.isLocal() || isOffline(target)) {
      return CompletableFuture.failedFuture(remembered.orElseGet(() -> unknown(target, digest)));
    }
    metrics.cacheRequest("blob", "miss");
    BlobFill fill = fills.computeIfAbsent(digest, d -> newFill(target, d));
    if (fill.claimStart()) {
      // Outside computeIfAbsent: a fill that fails at once removes itself from the map.
      var unused = fill.done.whenComplete((p, e) -> fills.remove(digest, fill));
      fill.start();
    }
    return fill.started.handle(
        (size, e) -> {
          if (e != null) {
            notFound.rememberIfNotFound(target + "@" + digest, e);
            throw new java.util.concurrent.CompletionException(e);
          }
          return new Found(fill, false);
        });
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
            found ->
                found.content() instanceof BlobFill fill
                    ? fill.done.thenApply(path -> true)
                    : CompletableFuture.completedFuture(false));
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
   * HEAD}.
   */
  public CompletableFuture<Size> size(Target target, Digest digest) {
    Optional<BlobFile> stored = store.find(digest);
    if (stored.isPresent()) {
      metrics.cacheRequest("blob", "hit");
      return CompletableFuture.completedFuture(new Size(stored.get().size(), true));
    }
    BlobFill inFlight = fills.get(digest);
    if (inFlight != null) {
      return inFlight.started.thenApply(n -> new Size(n, false));
    }
    if (target.isLocal() || isOffline(target)) {
      return CompletableFuture.failedFuture(unknown(target, digest));
    }
    UpstreamCall call = call(target, digest, HttpMethod.HEAD, "check blob");
    return client(target)
        .fetch(call)
        .handle(
            (AggregatedHttpResponse res, Throwable e) -> {
              if (e != null) {
                throw UpstreamErrors.unavailable(call, e);
              }
              if (res.status().code() != 200) {
                throw UpstreamErrors.forStatus(
                    call, res, client(target).host(), OciError.BLOB_UNKNOWN);
              }
              return new Size(res.headers().getLong(HttpHeaderNames.CONTENT_LENGTH, -1L), false);
            });
  }

  private BlobFill newFill(Target target, Digest digest) {
    UpstreamCall call = call(target, digest, HttpMethod.GET, "pull blob");
    return new BlobFill(
        digest,
        client(target),
        call,
        store,
        metrics,
        blocking,
        target.upstream().orElseThrow().idleTimeout());
  }

  private UpstreamClient client(Target target) {
    return upstreams.client(target.registry(), target.upstream().orElseThrow());
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
