package dev.berth.prefetch;

import com.linecorp.armeria.client.retry.Backoff;
import dev.berth.errors.OciError;
import dev.berth.errors.RegistryException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ImageName;
import dev.berth.oci.Manifest;
import dev.berth.oci.ManifestReference;
import dev.berth.oci.Platform;
import dev.berth.pull.BlobFetcher;
import dev.berth.pull.ManifestResolver;
import dev.berth.pull.ResolvedManifest;
import dev.berth.routing.RegistryRoute;
import dev.berth.routing.RouteResolver;
import dev.berth.routing.Target;
import dev.berth.storage.BlobFile;
import dev.berth.storage.BlobStore;
import dev.berth.storage.CacheResult;
import dev.berth.upstream.RateLimit;
import dev.berth.upstream.UpstreamClient;
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

  private final RouteResolver routes;
  private final ManifestResolver manifests;
  private final BlobFetcher fetcher;
  private final BlobStore blobs;
  private final ScheduledExecutorService timer;
  private final Upstreams upstreams;
  private final int reservePulls;

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
    this.routes = routes;
    this.manifests = manifests;
    this.fetcher = fetcher;
    this.blobs = blobs;
    this.timer = timer;
    this.upstreams = upstreams;
    this.reservePulls = reservePulls;
  }

  /** An image not pulled now because the upstream's rate limit is nearly used up. */
  private static final class Paused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Paused(String message) {
      super(message);
    }
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
      String digest,
      boolean ok,
      boolean changed,
      List<String> platforms,
      int blobs,
      int fetchedBlobs,
      long bytes,
      long fetchedBytes,
      int attempts,
      String error) {}

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
          if (UpstreamClient.unwrap(e) instanceof Paused paused) {
            result.complete(
                new Result(
                    request.ref(),
                    null,
                    false,
                    false,
                    List.of(),
                    0,
                    0,
                    0,
                    0,
                    attempt,
                    paused.getMessage()));
            return;
          }
          RegistryException failure = UpstreamFailure.of(request.ref(), e);
          Optional<Duration> next = UpstreamFailure.nextTry(e, attempt, BACKOFF, false);
          if (next.isEmpty()) {
            result.complete(
                new Result(
                    request.ref(),
                    null,
                    false,
                    false,
                    List.of(),
                    0,
                    0,
                    0,
                    0,
                    attempt,
                    failure.getMessage()));
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
   * The repository {@code ref} names, as Berth routes it.
   *
   * @throws dev.berth.errors.RegistryException NAME_INVALID or DENIED for a name Berth does not
   *     serve
   */
  public Target target(String ref) {
    ImageName.Parts parsed;
    try {
      parsed = ImageName.split(ref);
      var unused = ManifestReference.of(parsed.reference());
    } catch (IllegalArgumentException e) {
      throw OciError.NAME_INVALID.with(
          "not an image reference: " + ref + " (" + e.getMessage() + ")");
    }
    return routes.resolve(parsed.name() + "/manifests/" + parsed.reference(), null).target();
  }

  private CompletableFuture<Result> once(
      ImageRequest request, Listener listener, boolean pin, int attempt) {
    ImageName.Parts parsed = ImageName.split(request.ref());
    RegistryRoute route = routes.resolve(parsed.name() + "/manifests/" + parsed.reference(), null);
    Target target = route.target();
    if (target.isLocal()) {
      throw OciError.NAME_INVALID.with(
          request.ref() + " is a local repository: there is nothing to pre-pull");
    }
    ManifestReference ref = ManifestReference.of(parsed.reference());
    RateLimit limit = upstreams.client(target).rateLimit();
    if (limit.remaining() >= 0
        && limit.remaining() <= reservePulls
        && !manifests.isHeld(target, ref)) {
      throw new Paused(
          "paused: "
              + target.registry()
              + " has "
              + limit.remaining()
              + " of "
              + limit.limit()
              + " pulls left in its rate-limit window, and prefetch leaves the last "
              + reservePulls
              + " to builds (prefetch.reservePulls)");
    }
    return manifests
        .refresh(target, ref)
        .thenCompose(
            top -> {
              if (top.result() == CacheResult.STALE) {
                throw OciError.UPSTREAM_UNAVAILABLE.with(
                    "the upstream of " + request.ref() + " could not be asked; kept what was held");
              }
              return images(target, top.manifest(), request.platforms(), pin)
                  .thenCompose(
                      images -> blobsOf(request, target, top, images, listener, pin, attempt));
            });
  }

  /**
   * The image manifests of {@code top} for {@code wanted} platforms (all when empty); a wanted
   * platform the index lacks is an error when {@code strict}, else skipped.
   */
  private CompletableFuture<List<Chosen>> images(
      Target target, Manifest top, List<String> wanted, boolean strict) {
    if (!top.isIndex()) {
      return CompletableFuture.completedFuture(List.of(new Chosen(top, null)));
    }
    List<CompletableFuture<List<Chosen>>> children = new ArrayList<>();
    List<String> missing = new ArrayList<>(wanted);
    for (Descriptor d : top.children()) {
      String platform = d.platform() == null ? null : d.platform().toString();
      if (!wanted.isEmpty()) {
        String match = matching(d.platform(), wanted);
        if (match == null) {
          continue;
        }
        missing.remove(match);
      }
      children.add(
          manifests
              .resolve(target, ManifestReference.of(d.digest()))
              .thenCompose(
                  m ->
                      m.manifest().isIndex()
                          ? images(target, m.manifest(), wanted, strict)
                          : CompletableFuture.completedFuture(
                              List.of(new Chosen(m.manifest(), platform)))));
    }
    if (strict && !missing.isEmpty()) {
      return CompletableFuture.failedFuture(
          OciError.MANIFEST_UNKNOWN.with(
              "the index has no image for " + String.join(", ", missing)));
    }
    return CompletableFuture.allOf(children.toArray(CompletableFuture[]::new))
        .thenApply(v -> children.stream().flatMap(c -> c.join().stream()).toList());
  }

  /** The wanted platform {@code p} matches, or null; {@code linux/arm64} matches any variant. */
  public static String matching(Platform p, List<String> wanted) {
    if (p == null) {
      return null;
    }
    for (String w : wanted) {
      if (Platform.parse(w).covers(p)) {
        return w;
      }
    }
    return null;
  }

  private record Chosen(Manifest manifest, String platform) {}

  /**
   * Whether Berth holds an image, from its disk alone.
   *
   * @param ref the reference as requested
   * @param held whether the manifest the reference names is held
   * @param missing the wanted platforms (or {@code "any platform"}) not held with every blob
   * @param error why the reference could not be looked up, or null
   */
  public record Presence(String ref, boolean held, List<String> missing, String error) {
    public boolean complete() {
      return error == null && held && missing.isEmpty();
    }
  }

  /**
   * Whether {@code request}'s image is held with every blob of its platforms (of at least one
   * platform when it names none), asking no upstream. Reads the disk: call it off event loops.
   */
  public Presence check(ImageRequest request) {
    List<String> wanted = request.platforms();
    try {
      ImageName.Parts parsed = ImageName.split(request.ref());
      Target target =
          routes.resolve(parsed.name() + "/manifests/" + parsed.reference(), null).target();
      Optional<Manifest> top = manifests.held(target, ManifestReference.of(parsed.reference()));
      if (top.isEmpty()) {
        return new Presence(request.ref(), false, wanted.isEmpty() ? List.of(ANY) : wanted, null);
      }
      if (!top.get().isIndex()) {
        return new Presence(
            request.ref(),
            true,
            complete(top.get()) ? List.of() : wanted.isEmpty() ? List.of(ANY) : wanted,
            null);
      }
      List<String> missing = new ArrayList<>(wanted);
      boolean any = false;
      for (Descriptor d : top.get().children()) {
        String match = wanted.isEmpty() ? null : matching(d.platform(), wanted);
        if (!wanted.isEmpty() && match == null) {
          continue;
        }
        Optional<Manifest> child = manifests.held(target, ManifestReference.of(d.digest()));
        if (child.isPresent() && !child.get().isIndex() && complete(child.get())) {
          any = true;
          missing.remove(match);
        }
      }
      if (wanted.isEmpty() && !any) {
        missing.add(ANY);
      }
      return new Presence(request.ref(), true, missing, null);
    } catch (RuntimeException e) {
      return new Presence(request.ref(), false, List.of(), String.valueOf(e.getMessage()));
    }
  }

  private static final String ANY = "any platform";

  private boolean complete(Manifest image) {
    for (Digest d : image.named().blobs()) {
      if (!blobs.contains(d)) {
        return false;
      }
    }
    return true;
  }

  private CompletableFuture<Result> blobsOf(
      ImageRequest request,
      Target target,
      ResolvedManifest top,
      List<Chosen> images,
      Listener listener,
      boolean pin,
      int attempt) {
    Set<Digest> digests = new LinkedHashSet<>();
    List<String> platforms = new ArrayList<>();
    long declared = 0;
    for (Chosen c : images) {
      if (c.platform() != null) {
        platforms.add(c.platform());
      }
      digests.addAll(c.manifest().named().blobs());
    }
    for (Chosen c : images) {
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
                    long size = blobs.find(d).map(BlobFile::size).orElse(0L);
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
