package dev.berth.prefetch;

import com.linecorp.armeria.client.retry.Backoff;
import dev.berth.errors.RegistryException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.pull.BlobFetcher;
import dev.berth.pull.ManifestResolver;
import dev.berth.pull.ResolvedManifest;
import dev.berth.routing.RouteResolver;
import dev.berth.routing.Target;
import dev.berth.storage.BlobStore;
import dev.berth.storage.CacheResult;
import dev.berth.storage.StoredBlob;
import dev.berth.upstream.UpstreamFailure;
import dev.berth.upstream.Upstreams;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Pre-pulls images into the store: the manifest is asked for now (a {@code HEAD} when the tag is
 * held, so an unchanged image costs no pull against rate limits), an index is stored unmodified
 * with only the children of the wanted platforms fetched, and every blob of those is fetched when
 * missing and pinned against the disk budget. A reference the upstream does not know fails at once;
 * other failures are retried with backoff. Thread-safe.
 */
public final class Prefetcher {
  /** Three tries, 1 s and then 2 s apart, each wait drawn from the upper half of its step. */
  private static final Backoff BACKOFF =
      Backoff.exponential(1_000, 4_000).withJitter(-0.5, 0).withMaxAttempts(3);

  private final ImageResolver images;
  private final BlobFetcher fetcher;
  private final BlobStore blobs;
  private final ScheduledExecutorService timer;

  /**
   * A prefetcher; it leaves the last {@code reservePulls} pulls of an upstream's stated rate limit
   * to builds.
   */
  public Prefetcher(
      RouteResolver routes,
      ManifestResolver manifests,
      BlobFetcher fetcher,
      BlobStore blobs,
      ScheduledExecutorService timer,
      Upstreams upstreams,
      int reservePulls) {
    this.images = new ImageResolver(routes, manifests, blobs, upstreams, reservePulls);
    this.fetcher = fetcher;
    this.blobs = blobs;
    this.timer = timer;
  }

  /** What happens during a prefetch, for progress reports. Called from any thread. */
  public interface Listener {
    /** {@code ref} resolved to {@code digest}, with {@code blobs} blobs of {@code bytes} bytes. */
    default void resolved(String ref, Digest digest, int blobs, long bytes) {}

    /** A blob of {@code ref} is stored; {@code fetched} when it was not before. */
    default void blob(String ref, Digest digest, long bytes, boolean fetched) {}
  }

  /**
   * The outcome for one image.
   *
   * @param ref the reference as requested
   * @param digest what it resolved to, or null when it failed before
   * @param ok whether the image and every blob of the wanted platforms are stored
   * @param changed whether the manifest was new to Berth (not merely confirmed)
   * @param platforms the platforms stored (empty for a single-platform image)
   * @param blobs blobs of the wanted platforms
   * @param fetchedBlobs of those, how many were fetched now
   * @param bytes bytes of those blobs
   * @param fetchedBytes of those, how many were fetched now
   * @param attempts attempts made
   * @param error why it failed, or null
   */
  public record Result(
      String ref,
      @Nullable String digest,
      boolean ok,
      boolean changed,
      List<String> platforms,
      int blobs,
      int fetchedBlobs,
      long bytes,
      long fetchedBytes,
      int attempts,
      @Nullable String error) {
    /** An image that failed after {@code attempts}, for {@code error}. */
    static Result failed(String ref, int attempts, String error) {
      return new Result(ref, null, false, false, List.of(), 0, 0, 0, 0, attempts, error);
    }
  }

  /** Pre-pulls {@code request}, pinned; the future never fails, a failure is in its result. */
  public CompletableFuture<Result> prefetch(ImageRequest request, Listener listener) {
    CompletableFuture<Result> result = new CompletableFuture<>();
    attempt(request, listener, true, 1, result);
    return result;
  }

  /** Fetches what {@code request} names like any pull: cached, not pinned. */
  public CompletableFuture<Result> warm(ImageRequest request) {
    CompletableFuture<Result> result = new CompletableFuture<>();
    attempt(request, new Listener() {}, false, 1, result);
    return result;
  }

  private void attempt(
      ImageRequest request,
      Listener listener,
      boolean pin,
      int attempt,
      CompletableFuture<Result> result) {
    CompletableFuture<Result> run;
    try {
      run = once(request, listener, pin, attempt);
    } catch (RuntimeException e) {
      run = CompletableFuture.failedFuture(e);
    }
    run.whenComplete(
        (r, e) -> {
          if (e == null) {
            result.complete(r);
            return;
          }
          if (UpstreamFailure.unwrap(e) instanceof ImageResolver.Paused paused) {
            result.complete(
                Result.failed(request.ref(), attempt, String.valueOf(paused.getMessage())));
            return;
          }
          RegistryException failure = UpstreamFailure.of(request.ref(), e);
          Optional<Duration> next = UpstreamFailure.nextTry(e, attempt, BACKOFF, false);
          if (next.isEmpty()) {
            result.complete(Result.failed(request.ref(), attempt, failure.detail()));
            return;
          }
          var unused =
              timer.schedule(
                  () -> attempt(request, listener, pin, attempt + 1, result),
                  next.get().toMillis(),
                  TimeUnit.MILLISECONDS);
        });
  }

  /**
   * Whether Berth holds an image, from its disk alone.
   *
   * @param ref the reference as requested
   * @param held whether the manifest the reference names is held
   * @param missing the wanted platforms (or {@code "any platform"}) not held with every blob
   * @param error why the reference could not be looked up, or null
   */
  public record Presence(String ref, boolean held, List<String> missing, @Nullable String error) {
    public boolean complete() {
      return error == null && held && missing.isEmpty();
    }
  }

  /**
   * The repository {@code ref} names, as Berth routes it.
   *
   * @throws dev.berth.errors.RegistryException NAME_INVALID or DENIED for a name Berth does not
   *     serve
   */
  public Target target(String ref) {
    return images.target(ref);
  }

  /**
   * Whether {@code request}'s image is held with every blob of its platforms (of at least one
   * platform when it names none), asking no upstream. Reads the disk: call it off event loops.
   */
  public Presence check(ImageRequest request) {
    return images.check(request);
  }

  private CompletableFuture<Result> once(
      ImageRequest request, Listener listener, boolean pin, int attempt) {
    return images
        .resolve(request, pin)
        .thenCompose(
            r -> blobsOf(request, r.target(), r.top(), r.images(), listener, pin, attempt));
  }

  private CompletableFuture<Result> blobsOf(
      ImageRequest request,
      Target target,
      ResolvedManifest top,
      List<ImageResolver.Chosen> images,
      Listener listener,
      boolean pin,
      int attempt) {
    Set<Digest> digests = new LinkedHashSet<>();
    List<String> platforms = new ArrayList<>();
    long declared = 0;
    for (ImageResolver.Chosen c : images) {
      if (c.platform() != null) {
        platforms.add(c.platform());
      }
      digests.addAll(c.manifest().named().blobs());
    }
    for (ImageResolver.Chosen c : images) {
      for (Descriptor d : c.manifest().blobs()) {
        declared += d.size();
      }
    }
    listener.resolved(request.ref(), top.manifest().digest(), digests.size(), declared);
    AtomicInteger fetched = new AtomicInteger();
    AtomicLong fetchedBytes = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (Digest d : digests) {
      all.add(
          fetcher
              .ensure(target, d)
              .thenAccept(
                  wasFetched -> {
                    long size = blobs.find(d).map(StoredBlob::size).orElse(0L);
                    try {
                      if (pin) {
                        blobs.pin(d);
                      }
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                    bytes.addAndGet(size);
                    if (wasFetched) {
                      fetched.incrementAndGet();
                      fetchedBytes.addAndGet(size);
                    }
                    listener.blob(request.ref(), d, size, wasFetched);
                  }));
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenApply(
            v ->
                new Result(
                    request.ref(),
                    top.manifest().digest().toString(),
                    true,
                    top.result() == CacheResult.MISS,
                    platforms,
                    digests.size(),
                    fetched.get(),
                    bytes.get(),
                    fetchedBytes.get(),
                    attempt,
                    null));
  }
}
