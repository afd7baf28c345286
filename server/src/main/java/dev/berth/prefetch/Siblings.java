package dev.berth.prefetch;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Manifest;
import dev.berth.routing.Target;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sibling platforms: once a client has pulled an index and then one of its images, the images of
 * the other configured platforms are fetched in the background with their blobs, so the second
 * architecture of a multi-platform build finds its base image warm, even with the upstream gone.
 * They are cached like any pull (not pinned). Each index is warmed at most once in ten minutes.
 * Thread-safe.
 */
public final class Siblings {
  private static final Logger log = LoggerFactory.getLogger(Siblings.class);

  private final List<String> platforms;
  private final Prefetcher prefetcher;

  /** Per image manifest, the index that named it when a client pulled that index. */
  private final Cache<Digest, Parent> parents =
      Caffeine.newBuilder().maximumSize(50_000).expireAfterWrite(Duration.ofHours(1)).build();

  private final Cache<Digest, Boolean> indexes =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(30)).build();

  private final Cache<Digest, Boolean> warmed =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(10)).build();

  private record Parent(Target target, Digest index) {}

  public Siblings(List<String> platforms, Prefetcher prefetcher) {
    this.platforms = List.copyOf(platforms);
    this.prefetcher = prefetcher;
  }

  /** Notes that {@code manifest} of {@code target} was served to a client. */
  public void served(Target target, Manifest manifest) {
    if (platforms.isEmpty() || target.isLocal()) {
      return;
    }
    if (manifest.isIndex()) {
      if (indexes.asMap().putIfAbsent(manifest.digest(), Boolean.TRUE) != null) {
        return; // Its children are known already: no need to read it again on every pull.
      }
      for (Descriptor child : manifest.children()) {
        parents.put(child.digest(), new Parent(target, manifest.digest()));
      }
      return;
    }
    Parent parent = parents.getIfPresent(manifest.digest());
    if (parent == null || warmed.asMap().putIfAbsent(parent.index(), Boolean.TRUE) != null) {
      return;
    }
    String ref = parent.target() + "@" + parent.index();
    var unused =
        prefetcher
            .warm(new ImageRequest(ref, platforms, "sibling platforms of " + ref))
            .thenAccept(
                r -> {
                  if (r.ok()) {
                    log.info(
                        "warmed {} for {}: {} blobs fetched",
                        ref,
                        String.join(", ", r.platforms()),
                        r.fetchedBlobs());
                  } else {
                    log.warn("could not warm the sibling platforms of {}: {}", ref, r.error());
                  }
                });
  }
}
