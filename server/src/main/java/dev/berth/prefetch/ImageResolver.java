package dev.berth.prefetch;

import dev.berth.errors.OciError;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ImageName;
import dev.berth.oci.Manifest;
import dev.berth.oci.ManifestReference;
import dev.berth.oci.Platform;
import dev.berth.pull.ManifestResolver;
import dev.berth.pull.ResolvedManifest;
import dev.berth.routing.RouteResolver;
import dev.berth.routing.Target;
import dev.berth.storage.BlobStore;
import dev.berth.storage.CacheResult;
import dev.berth.upstream.RateLimit;
import dev.berth.upstream.Upstreams;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * What an image request names: its repository as Berth routes it, its manifest asked for now (a
 * {@code HEAD} when the tag is held, so an unchanged image costs no pull against rate limits), and
 * the image manifests of the wanted platforms; or, from the disk alone, whether all of that is
 * held. Thread-safe.
 */
final class ImageResolver {
  private static final String ANY = "any platform";

  private final RouteResolver routes;
  private final ManifestResolver manifests;
  private final BlobStore blobs;
  private final Upstreams upstreams;
  private final int reservePulls;

  ImageResolver(
      RouteResolver routes,
      ManifestResolver manifests,
      BlobStore blobs,
      Upstreams upstreams,
      int reservePulls) {
    this.routes = routes;
    this.manifests = manifests;
    this.blobs = blobs;
    this.upstreams = upstreams;
    this.reservePulls = reservePulls;
  }

  /** An image not pulled now because the upstream's rate limit is nearly used up. */
  static final class Paused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Paused(String message) {
      super(message);
    }
  }

  /** An image manifest chosen from a request, with its index entry's platform (null for none). */
  record Chosen(Manifest manifest, @Nullable String platform) {}

  /** A request resolved: its repository, its top manifest, and the image manifests chosen. */
  record Resolved(Target target, ResolvedManifest top, List<Chosen> images) {}

  /**
   * The repository {@code ref} names, as Berth routes it.
   *
   * @throws dev.berth.errors.RegistryException NAME_INVALID or DENIED for a name Berth does not
   *     serve
   */
  Target target(String ref) {
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

  /**
   * Asks for {@code request}'s manifest now and chooses the image manifests of its platforms; with
   * {@code strict}, a wanted platform the index lacks fails it. Fails with {@link Paused} when the
   * upstream's rate limit is down to the reserve and the manifest is not held.
   */
  CompletableFuture<Resolved> resolve(ImageRequest request, boolean strict) {
    ImageName.Parts parsed = ImageName.split(request.ref());
    Target target =
        routes.resolve(parsed.name() + "/manifests/" + parsed.reference(), null).target();
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
              return images(target, top.manifest(), request.platforms(), strict)
                  .thenApply(images -> new Resolved(target, top, images));
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
        String match = Platform.firstCovering(wanted, d.platform());
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

  /**
   * Whether {@code request}'s image is held with every blob of its platforms (of at least one
   * platform when it names none), asking no upstream. Reads the disk: call it off event loops.
   */
  Prefetcher.Presence check(ImageRequest request) {
    List<String> wanted = request.platforms();
    try {
      ImageName.Parts parsed = ImageName.split(request.ref());
      Target target =
          routes.resolve(parsed.name() + "/manifests/" + parsed.reference(), null).target();
      Optional<Manifest> top = manifests.held(target, ManifestReference.of(parsed.reference()));
      if (top.isEmpty()) {
        return new Prefetcher.Presence(
            request.ref(), false, wanted.isEmpty() ? List.of(ANY) : wanted, null);
      }
      if (!top.get().isIndex()) {
        return new Prefetcher.Presence(
            request.ref(),
            true,
            complete(top.get()) ? List.of() : wanted.isEmpty() ? List.of(ANY) : wanted,
            null);
      }
      List<String> missing = new ArrayList<>(wanted);
      boolean any = false;
      for (Descriptor d : top.get().children()) {
        String match = wanted.isEmpty() ? null : Platform.firstCovering(wanted, d.platform());
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
      return new Prefetcher.Presence(request.ref(), true, missing, null);
    } catch (RuntimeException e) {
      return new Prefetcher.Presence(
          request.ref(), false, List.of(), String.valueOf(e.getMessage()));
    }
  }

  private boolean complete(Manifest image) {
    for (Digest d : image.named().blobs()) {
      if (!blobs.contains(d)) {
        return false;
      }
    }
    return true;
  }
}
