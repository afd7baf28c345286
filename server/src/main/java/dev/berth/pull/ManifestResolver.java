package dev.berth.pull;

import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.util.BlockingTaskExecutor;
import dev.berth.config.BerthConfig;
import dev.berth.errors.OciError;
import dev.berth.errors.RegistryException;
import dev.berth.metrics.BerthMetrics;
import dev.berth.oci.Digest;
import dev.berth.oci.Manifest;
import dev.berth.oci.ManifestReference;
import dev.berth.routing.Target;
import dev.berth.storage.CacheResult;
import dev.berth.storage.ManifestStore;
import dev.berth.storage.TagRecord;
import dev.berth.storage.TagStore;
import dev.berth.upstream.UpstreamCall;
import dev.berth.upstream.UpstreamClient;
import dev.berth.upstream.UpstreamFailure;
import dev.berth.upstream.Upstreams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Manifests for the pull path. By digest: immutable, from the store when the repository holds it
 * ({@link Membership}, served as the media type that repository has for it), or fetched once and
 * verified. By tag: served from the store for the tag's TTL, then revalidated with a {@code HEAD}
 * (which Docker Hub does not count against its rate limit); when every endpoint fails, the last
 * manifest seen is served for up to {@code cache.staleIfError}. Concurrent requests for one
 * reference share one upstream request; 404s are remembered for {@code cache.notFoundTtl}.
 * Thread-safe.
 */
public final class ManifestResolver {
  /** The largest manifest Berth reads from an upstream. */
  public static final int MAX_MANIFEST_BYTES = 4 << 20;

  private final ManifestStore manifests;
  private final Membership membership;
  private final TagStore tags;
  private final Upstreams upstreams;
  private final BerthConfig config;
  private final BerthMetrics metrics;
  private final BlockingTaskExecutor blocking;
  private final Clock clock;
  private final Map<String, CompletableFuture<ResolvedManifest>> inFlight =
      new ConcurrentHashMap<>();
  private final NotFoundCache notFound;
  private final ManifestFetcher fetcher;

  public ManifestResolver(
      ManifestStore manifests,
      Membership membership,
      TagStore tags,
      Upstreams upstreams,
      BerthMetrics metrics,
      BlockingTaskExecutor blocking,
      Clock clock) {
    this.manifests = manifests;
    this.membership = membership;
    this.tags = tags;
    this.upstreams = upstreams;
    this.config = upstreams.config();
    this.metrics = metrics;
    this.blocking = blocking;
    this.clock = clock;
    this.notFound = new NotFoundCache(config.cache().notFoundTtl(), OciError.MANIFEST_UNKNOWN);
    this.fetcher = new ManifestFetcher(manifests, membership, tags, upstreams, metrics, clock);
  }

  /** The manifest {@code ref} names in {@code target}. */
  public CompletableFuture<ResolvedManifest> resolve(Target target, ManifestReference ref) {
    Optional<Manifest> fresh = freshInMemory(target, ref);
    if (fresh.isPresent()) {
      // The common case, answered on the event loop: no disk, no upstream, no thread hop.
      metrics.cacheRequest("manifest", CacheResult.HIT);
      return CompletableFuture.completedFuture(new ResolvedManifest(fresh.get(), CacheResult.HIT));
    }
    String key = target + (ref.isDigest() ? "@" : ":") + ref;
    Optional<RegistryException> remembered = notFound.get(key);
    if (remembered.isPresent()) {
      return CompletableFuture.failedFuture(remembered.get());
    }
    CompletableFuture<ResolvedManifest> mine = new CompletableFuture<>();
    CompletableFuture<ResolvedManifest> shared = inFlight.putIfAbsent(key, mine);
    if (shared != null) {
      return shared;
    }
    CompletableFuture.supplyAsync(() -> lookUp(target, ref), blocking)
        .thenCompose(f -> f)
        .whenComplete(
            (m, e) -> {
              inFlight.remove(key, mine);
              if (e != null) {
                if (!target.isLocal()) {
                  notFound.rememberIfNotFound(key, e);
                }
                mine.completeExceptionally(UpstreamFailure.unwrap(e));
              } else {
                metrics.cacheRequest("manifest", m.result());
                mine.complete(m);
              }
            });
    return mine;
  }

  /**
   * The manifest {@code ref} names in upstream {@code target}, asking the upstream now whatever the
   * tag's TTL: a tag held is revalidated with a {@code HEAD} (fetched only when it moved), one not
   * held is fetched; a digest held is not asked for. The result is {@code stale} when the upstream
   * could not be asked and the held manifest was kept.
   */
  public CompletableFuture<ResolvedManifest> refresh(Target target, ManifestReference ref) {
    return CompletableFuture.supplyAsync(
            () -> {
              try {
                if (ref.isDigest()) {
                  return lookUp(target, ref);
                }
                String tag = ref.tag().orElseThrow();
                Optional<TagRecord> record =
                    tags.get(target.registry(), target.repository().value(), tag);
                Optional<Manifest> stored =
                    record.isPresent() ? manifests.get(record.get().digest()) : Optional.empty();
                return stored.isPresent()
                    ? revalidate(target, tag, record.get(), stored.get())
                    : fetcher.fetch(target, ref);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            },
            blocking)
        .thenCompose(f -> f);
  }

  /** Whether {@code ref} of {@code target} is held: a digest stored, or a tag with its manifest. */
  public boolean isHeld(Target target, ManifestReference ref) {
    return held(target, ref).isPresent();
  }

  /** The manifest {@code ref} names as Berth holds it now, without asking the upstream. */
  public Optional<Manifest> held(Target target, ManifestReference ref) {
    try {
      if (ref.isDigest()) {
        Digest digest = ref.digest().orElseThrow();
        Optional<String> type = membership.recorded(target, digest);
        return type.isEmpty()
            ? Optional.empty()
            : manifests.get(digest).map(m -> typed(m, type.get()));
      }
      Optional<TagRecord> record =
          tags.get(target.registry(), target.repository().value(), ref.tag().orElseThrow());
      return record.isPresent()
          ? manifests.get(record.get().digest()).map(m -> typed(m, record.get().mediaType()))
          : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private CompletableFuture<ResolvedManifest> lookUp(Target target, ManifestReference ref) {
    try {
      if (ref.isDigest()) {
        Digest digest = ref.digest().orElseThrow();
        Optional<Manifest> stored = manifests.get(digest);
        if (stored.isPresent()) {
          // Stored for some repository: served here only once this one is known to hold it.
          return membership
              .confirm(target, digest, stored.get().mediaType())
              .thenApply(type -> new ResolvedManifest(typed(stored.get(), type), CacheResult.HIT));
        }
        return target.isLocal() ? unknown(target, ref) : fetcher.fetch(target, ref);
      }
      String tag = ref.tag().orElseThrow();
      Optional<TagRecord> record = tags.get(target.registry(), target.repository().value(), tag);
      Optional<Manifest> stored =
          record.isPresent()
              ? manifests.get(record.get().digest()).map(m -> typed(m, record.get().mediaType()))
              : Optional.empty();
      if (target.isLocal()) {
        return stored.isPresent()
            ? CompletableFuture.completedFuture(new ResolvedManifest(stored.get(), CacheResult.HIT))
            : unknown(target, ref);
      }
      if (stored.isEmpty()) {
        return fetcher.fetch(target, ref);
      }
      if (age(record.get()).compareTo(tagTtl(target)) < 0 || client(target).isOffline()) {
        return CompletableFuture.completedFuture(
            new ResolvedManifest(stored.get(), CacheResult.HIT));
      }
      return revalidate(target, tag, record.get(), stored.get());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The manifest {@code ref} names when memory holds it and it may be served as it is: a digest, or
   * a tag within its TTL (any age when the target is local or offline).
   */
  private Optional<Manifest> freshInMemory(Target target, ManifestReference ref) {
    if (ref.isDigest()) {
      Digest digest = ref.digest().orElseThrow();
      Optional<String> type = membership.cached(target, digest);
      return type.isEmpty()
          ? Optional.empty()
          : manifests.cached(digest).map(m -> typed(m, type.get()));
    }
    Optional<TagRecord> record =
        tags.cached(target.registry(), target.repository().value(), ref.tag().orElseThrow());
    if (record.isEmpty()
        || !(target.isLocal()
            || client(target).isOffline()
            || age(record.get()).compareTo(tagTtl(target)) < 0)) {
      return Optional.empty();
    }
    return manifests.cached(record.get().digest()).map(m -> typed(m, record.get().mediaType()));
  }

  /**
   * {@code m} as the media type its repository has for it: one repository's push never changes what
   * another serves.
   */
  private static Manifest typed(Manifest m, String type) {
    return type.isEmpty() || type.equals(m.mediaType())
        ? m
        : new Manifest(m.bytes(), type, m.digest());
  }

  private Duration age(TagRecord record) {
    return Duration.between(record.checkedAt(), Instant.now(clock));
  }

  private Duration tagTtl(Target target) {
    Duration own = target.upstreamConfig().tagTtl();
    return own != null ? own : config.cache().tagTtl();
  }

  private CompletableFuture<ResolvedManifest> revalidate(
      Target target, String tag, TagRecord record, Manifest stored) {
    UpstreamCall call = ManifestFetcher.call(target, tag, HttpMethod.HEAD, "revalidate manifest");
    return client(target)
        .fetch(call)
        .handle(
            (res, e) -> {
              if (e != null) {
                return CompletableFuture.completedFuture(
                    stale(target, record, stored, UpstreamFailure.of(call, e)));
              }
              String digest = res.headers().get("docker-content-digest");
              if (res.status().code() == 200 && record.digest().toString().equals(digest)) {
                fetcher.putTag(target, tag, record.withCheckedAt(Instant.now(clock)));
                return CompletableFuture.completedFuture(
                    new ResolvedManifest(stored, CacheResult.HIT));
              }
              if (res.status().code() == 200 || res.status().code() == 404) {
                return fetcher.fetch(target, ManifestReference.of(tag));
              }
              RegistryException failure =
                  UpstreamFailure.answered(
                      call, res, client(target).host(), OciError.MANIFEST_UNKNOWN);
              return CompletableFuture.completedFuture(stale(target, record, stored, failure));
            })
        .thenCompose(f -> f);
  }

  private ResolvedManifest stale(
      Target target, TagRecord record, Manifest stored, RegistryException failure) {
    if (UpstreamFailure.retry(failure) != UpstreamFailure.Retry.AGAIN) {
      throw failure;
    }
    if (age(record).compareTo(tagTtl(target).plus(config.cache().staleIfError())) > 0) {
      throw failure;
    }
    return new ResolvedManifest(stored, CacheResult.STALE);
  }

  private static CompletableFuture<ResolvedManifest> unknown(Target target, ManifestReference ref) {
    return CompletableFuture.failedFuture(
        OciError.MANIFEST_UNKNOWN.with("manifest " + ref + " of " + target + " is not stored"));
  }

  private UpstreamClient client(Target target) {
    return upstreams.client(target);
  }
}
