package dev.berth.push;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import dev.berth.errors.OciError;
import dev.berth.oci.Digest;
import dev.berth.oci.Manifest;
import dev.berth.oci.ManifestReference;
import dev.berth.routing.RegistryRoute;
import dev.berth.routing.Target;
import dev.berth.storage.BlobStore;
import dev.berth.storage.Deletions;
import dev.berth.storage.ManifestStore;
import dev.berth.storage.ReferrerStore;
import dev.berth.storage.TagRecord;
import dev.berth.storage.TagStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * {@code DELETE} of manifests (by tag or digest) and blobs in local repositories, when {@code
 * storage.allowDelete} is on: a tag is removed; a digest is hidden from the repository, with every
 * tag there that points at it and its entry in the referrers of its subject. Berth never deletes
 * from upstreams. Thread-safe.
 */
public final class DeleteRoutes {
  private final Deletions deletions;
  private final ManifestStore manifests;
  private final TagStore tags;
  private final BlobStore blobs;
  private final ReferrerStore referrers;
  private final Executor blocking;

  public DeleteRoutes(
      Deletions deletions,
      ManifestStore manifests,
      TagStore tags,
      BlobStore blobs,
      ReferrerStore referrers,
      Executor blocking) {
    this.deletions = deletions;
    this.manifests = manifests;
    this.tags = tags;
    this.blobs = blobs;
    this.referrers = referrers;
    this.blocking = blocking;
  }

  /**
   * Fails with {@code MANIFEST_UNKNOWN} or {@code BLOB_UNKNOWN} when a read names a digest deleted
   * from its local repository.
   */
  public void checkVisible(RegistryRoute route) {
    Target target = route.target();
    if (!deletions.enabled() || !target.isLocal()) {
      return;
    }
    boolean blob = route.kind() == RegistryRoute.Kind.BLOB;
    Optional<Digest> digest = route.reference().digest();
    if (digest.isPresent() && isDeleted(target, digest.get())) {
      throw (blob ? OciError.BLOB_UNKNOWN : OciError.MANIFEST_UNKNOWN)
          .with(target + "@" + digest.get() + " was deleted");
    }
  }

  /** DELETE /v2/&lt;name&gt;/manifests/&lt;reference&gt; */
  public HttpResponse deleteManifest(RegistryRoute route) {
    Target target = check(route);
    ManifestReference ref = route.reference().manifestOr(OciError.MANIFEST_INVALID);
    return accepted(
        () -> {
          String repo = target.repository().value();
          if (ref.tag().isPresent()) {
            if (!tags.delete(target.registry(), repo, ref.tag().get())) {
              throw OciError.MANIFEST_UNKNOWN.with(target + ":" + ref + " is not a tag");
            }
            return;
          }
          Digest digest = ref.digest().orElseThrow();
          Optional<Manifest> manifest = manifests.get(digest);
          if (manifest.isEmpty() || isDeleted(target, digest)) {
            throw OciError.MANIFEST_UNKNOWN.with(target + "@" + digest);
          }
          for (String tag : tags.tags(target.registry(), repo)) {
            Optional<TagRecord> record = tags.get(target.registry(), repo, tag);
            if (record.isPresent() && record.get().digest().equals(digest)) {
              tags.delete(target.registry(), repo, tag);
            }
          }
          Optional<Digest> subject = manifest.get().subject();
          if (subject.isPresent()) {
            referrers.remove(target.registry(), repo, subject.get(), digest);
          }
          deletions.mark(target.registry(), repo, digest);
        });
  }

  /** DELETE /v2/&lt;name&gt;/blobs/&lt;digest&gt; */
  public HttpResponse deleteBlob(RegistryRoute route) {
    Target target = check(route);
    Digest digest = route.reference().digestOr(OciError.DIGEST_INVALID);
    return accepted(
        () -> {
          if (!blobs.contains(digest) || isDeleted(target, digest)) {
            throw OciError.BLOB_UNKNOWN.with(target + "@" + digest);
          }
          deletions.mark(target.registry(), target.repository().value(), digest);
        });
  }

  /** Lifts a deletion of {@code digest} from {@code target}: it was pushed there again. */
  void restore(Target target, Digest digest) {
    if (target.isLocal()) {
      try {
        deletions.clear(target.registry(), target.repository().value(), digest);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private Target check(RegistryRoute route) {
    if (!deletions.enabled()) {
      throw OciError.UNSUPPORTED.with(
          "deleting is not enabled on this Berth (storage.allowDelete)");
    }
    if (!route.target().isLocal()) {
      throw OciError.UNSUPPORTED.with(
          "Berth does not delete from upstreams; " + route.target() + " is an upstream repository");
    }
    return route.target();
  }

  private boolean isDeleted(Target target, Digest digest) {
    return deletions.isDeleted(target.registry(), target.repository().value(), digest);
  }

  private interface Change {
    void run() throws IOException;
  }

  private HttpResponse accepted(Change change) {
    return HttpResponse.of(
        CompletableFuture.supplyAsync(
            () -> {
              try {
                change.run();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
              return HttpResponse.of(
                  ResponseHeaders.builder(HttpStatus.ACCEPTED).contentLength(0).build());
            },
            blocking));
  }
}
