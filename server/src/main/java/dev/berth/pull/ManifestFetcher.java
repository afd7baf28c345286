package dev.berth.pull;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import dev.berth.errors.OciError;
import dev.berth.metrics.BerthMetrics;
import dev.berth.oci.Digest;
import dev.berth.oci.Manifest;
import dev.berth.oci.ManifestReference;
import dev.berth.oci.MediaTypes;
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
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * Fetches a manifest from its upstream for {@link ManifestResolver}: the bytes are verified against
 * the digest asked for (or the one the upstream names), then stored with the repository's
 * membership and, for a tag, its record. Thread-safe.
 */
final class ManifestFetcher {
  private final ManifestStore manifests;
  private final Membership membership;
  private final TagStore tags;
  private final Upstreams upstreams;
  private final BerthMetrics metrics;
  private final Clock clock;

  ManifestFetcher(
      ManifestStore manifests,
      Membership membership,
      TagStore tags,
      Upstreams upstreams,
      BerthMetrics metrics,
      Clock clock) {
    this.manifests = manifests;
    this.membership = membership;
    this.tags = tags;
    this.upstreams = upstreams;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** Manifest {@code ref} of {@code target}, fetched, verified and stored. */
  CompletableFuture<ResolvedManifest> fetch(Target target, ManifestReference ref) {
    UpstreamCall call = call(target, ref.toString(), HttpMethod.GET, "pull manifest");
    UpstreamClient client = upstreams.client(target);
    if (client.isOffline()) {
      return CompletableFuture.failedFuture(
          OciError.MANIFEST_UNKNOWN.with(
              call.description()
                  + ": not held, and Berth is offline (offline: true): it asks no"
                  + " upstream"));
    }
    return client
        .fetch(call)
        .handle(
            (res, e) -> {
              if (e != null) {
                throw UpstreamFailure.of(call, e);
              }
              if (res.status().code() != 200) {
                throw UpstreamFailure.answered(call, res, client.host(), OciError.MANIFEST_UNKNOWN);
              }
              return new ResolvedManifest(verifyAndStore(target, ref, call, res), CacheResult.MISS);
            });
  }

  private Manifest verifyAndStore(
      Target target, ManifestReference ref, UpstreamCall call, AggregatedHttpResponse res) {
    byte[] bytes = res.content().array();
    String type = res.headers().get(HttpHeaderNames.CONTENT_TYPE, MediaTypes.OCI_MANIFEST);
    Digest expected =
        ref.digest()
            .orElseGet(
                () -> {
                  String said = res.headers().get("docker-content-digest");
                  return said == null ? Digest.sha256(bytes) : Digest.of(said);
                });
    java.security.MessageDigest hasher = expected.newHasher();
    hasher.update(bytes);
    Digest actual = expected.finish(hasher);
    if (!actual.equals(expected)) {
      throw OciError.UPSTREAM_INVALID.with(
          call.description()
              + ": the upstream's bytes have digest "
              + actual
              + ", not "
              + expected
              + "; nothing was stored");
    }
    metrics.bytesFetched(bytes.length);
    Manifest manifest = new Manifest(bytes, Manifest.typeOf(bytes, type), actual);
    try {
      manifests.put(manifest);
      membership.addManifest(target, manifest);
      if (ref.tag().isPresent()) {
        putTag(
            target,
            ref.tag().get(),
            new TagRecord(actual, manifest.mediaType(), Instant.now(clock)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return manifest;
  }

  /** Records that {@code tag} of {@code target} names {@code record}'s manifest. */
  void putTag(Target target, String tag, TagRecord record) {
    try {
      tags.put(target.registry(), target.repository().value(), tag, record);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A call for manifest {@code ref} (a tag or a digest) of {@code target}. */
  static UpstreamCall call(Target target, String ref, HttpMethod method, String what) {
    return UpstreamCall.pull(
        method,
        target.repository().value(),
        "manifests/" + ref,
        MediaTypes.ACCEPTED_FROM_UPSTREAM,
        ManifestResolver.MAX_MANIFEST_BYTES,
        what + " " + target + (Digest.looksLikeDigest(ref) ? "@" : ":") + ref);
  }
}
