package dev.berth.pull;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import dev.berth.errors.OciError;
import dev.berth.errors.RegistryException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaTypes;
import dev.berth.routing.Target;
import dev.berth.storage.MemberStore;
import dev.berth.upstream.UpstreamCall;
import dev.berth.upstream.UpstreamClient;
import dev.berth.upstream.UpstreamFailure;
import dev.berth.upstream.Upstreams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Whether a repository holds a digest, which decides whether Berth serves it there: a digest is not
 * a capability. A repository holds what was fetched from its upstream as its content (a manifest,
 * and what that manifest names), pushed or imported under its name, or what its upstream confirms
 * for it when asked with that repository's scope; a yes is recorded like any membership, a no is
 * remembered for {@code cache.notFoundTtl}. Thread-safe.
 */
public final class Membership {
  private final MemberStore members;
  private final Upstreams upstreams;
  private final NotFoundCache blobsDenied;
  private final NotFoundCache manifestsDenied;

  private final Executor blocking;

  /**
   * Membership over {@code members}, asking {@code upstreams}; disk work runs on {@code blocking}.
   */
  public Membership(MemberStore members, Upstreams upstreams, Executor blocking) {
    this.members = members;
    this.blocking = blocking;
    this.upstreams = upstreams;
    var ttl = upstreams.config().cache().notFoundTtl();
    this.blobsDenied = new NotFoundCache(ttl, OciError.BLOB_UNKNOWN);
    this.manifestsDenied = new NotFoundCache(ttl, OciError.MANIFEST_UNKNOWN);
  }

  /**
   * The record of {@code digest} in {@code target} if memory holds it: {@link MemberStore#BLOB} or
   * the manifest's media type there. Never reads the disk: for answers on the event loop.
   */
  public Optional<String> cached(Target target, Digest digest) {
    return members.cached(target.registry(), target.repository().value(), digest);
  }

  /** The record of {@code digest} in {@code target}, from memory or disk; never asks upstream. */
  public Optional<String> recorded(Target target, Digest digest) {
    try {
      return members.get(target.registry(), target.repository().value(), digest);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether {@code target} holds {@code digest} by its own records. */
  public boolean holds(Target target, Digest digest) {
    return recorded(target, digest).isPresent();
  }

  /** Records that {@code target} holds blob {@code digest}. */
  public void addBlob(Target target, Digest digest) {
    add(target, digest, MemberStore.BLOB);
  }

  /**
   * Records that {@code target} holds {@code manifest}, served there as its media type, and what it
   * names: the manifests of an index, the config and layers of an image.
   */
  public void addManifest(Target target, Manifest manifest) {
    add(target, manifest.digest(), manifest.mediaType());
    List<Descriptor> named;
    try {
      named = manifest.isIndex() ? manifest.children() : manifest.blobs();
    } catch (IllegalArgumentException e) {
      return; // Names nothing readable: nothing to add.
    }
    for (Descriptor d : named) {
      boolean isManifest =
          MediaTypes.isIndex(d.mediaType()) || MediaTypes.isImageManifest(d.mediaType());
      add(target, d.digest(), isManifest ? MediaTypes.bare(d.mediaType()) : MemberStore.BLOB);
    }
  }

  /** Forgets that {@code target} holds {@code digest}. */
  public void remove(Target target, Digest digest) {
    try {
      members.remove(target.registry(), target.repository().value(), digest);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void add(Target target, Digest digest, String type) {
    try {
      members.put(target.registry(), target.repository().value(), digest, type);
    } catch (IOException e) {
      throw OciError.UNAVAILABLE.with(
          "cannot record that " + target + " holds " + digest + ": " + e.getMessage());
    }
  }

  /**
   * Whether {@code target} holds {@code digest} (a manifest stored as {@code manifestType}, a blob
   * when that is null): by its records, or else by its upstream's answer to a {@code HEAD} with
   * {@code target}'s scope. Completes with the record (the media type for a manifest); fails with
   * {@code BLOB_UNKNOWN} or {@code MANIFEST_UNKNOWN} when neither says so, and with the upstream's
   * refusal ({@code UNAUTHORIZED}, {@code DENIED}) or unavailability as it came. A local or offline
   * repository is never asked about upstream.
   */
  public CompletableFuture<String> confirm(
      Target target, Digest digest, @Nullable String manifestType) {
    Optional<String> cached = cached(target, digest);
    if (cached.isPresent()) {
      return CompletableFuture.completedFuture(cached.get());
    }
    return CompletableFuture.supplyAsync(() -> recorded(target, digest), blocking)
        .thenCompose(
            held ->
                held.isPresent()
                    ? CompletableFuture.completedFuture(held.get())
                    : ask(target, digest, manifestType));
  }

  private CompletableFuture<String> ask(
      Target target, Digest digest, @Nullable String manifestType) {
    boolean manifest = manifestType != null;
    OciError unknown = manifest ? OciError.MANIFEST_UNKNOWN : OciError.BLOB_UNKNOWN;
    NotFoundCache denied = manifest ? manifestsDenied : blobsDenied;
    String key = target + "@" + digest;
    Optional<RegistryException> remembered = denied.get(key);
    if (remembered.isPresent()) {
      return CompletableFuture.failedFuture(remembered.get());
    }
    if (target.isLocal() || client(target).isOffline()) {
      return CompletableFuture.failedFuture(
          unknown.with(
              target
                  + " does not hold "
                  + digest
                  + (target.isLocal() ? "" : ", and Berth is offline: it asks no upstream")));
    }
    UpstreamCall call =
        UpstreamCall.pull(
            HttpMethod.HEAD,
            target.repository().value(),
            (manifest ? "manifests/" : "blobs/") + digest,
            manifest ? MediaTypes.ACCEPTED_FROM_UPSTREAM : List.of(),
            0,
            "check " + (manifest ? "manifest " : "blob ") + digest + " of " + target);
    UpstreamClient client = client(target);
    return client
        .fetch(call)
        .handleAsync(
            (AggregatedHttpResponse res, Throwable e) -> {
              if (e != null) {
                throw UpstreamFailure.of(call, e);
              }
              if (res.status().code() != 200) {
                RegistryException failure =
                    UpstreamFailure.answered(call, res, client.host(), unknown);
                denied.rememberIfNotFound(key, failure);
                throw failure;
              }
              String said = res.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
              String type =
                  !manifest
                      ? MemberStore.BLOB
                      : MediaTypes.isManifest(said)
                          ? MediaTypes.bare(said)
                          : java.util.Objects.requireNonNull(manifestType, "asked as a manifest");
              add(target, digest, type);
              return type;
            },
            blocking);
  }

  private UpstreamClient client(Target target) {
    return upstreams.client(target);
  }
}
