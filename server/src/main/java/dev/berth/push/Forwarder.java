package dev.berth.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.stream.StreamMessage;
import dev.berth.errors.OciError;
import dev.berth.errors.RegistryException;
import dev.berth.errors.UpstreamException;
import dev.berth.metrics.BerthMetrics;
import dev.berth.oci.Digest;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaTypes;
import dev.berth.pull.Content;
import dev.berth.routing.Target;
import dev.berth.storage.BlobStore;
import dev.berth.storage.ManifestStore;
import dev.berth.upstream.UpstreamCall;
import dev.berth.upstream.UpstreamClient;
import dev.berth.upstream.UpstreamFailure;
import dev.berth.upstream.Upstreams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Forwards pushed content to its upstream in sync mode: each blob as soon as its upload completes
 * (skipped when the upstream already has it), and a manifest once every blob and child it names is
 * there, so that the client's manifest {@code PUT} is answered with the upstream's answer. Every
 * request carries a token minted for it, so the length of a build never meets a token's lifetime.
 * One forward per blob and repository at a time. Thread-safe.
 */
public final class Forwarder {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Upstreams upstreams;
  private final ManifestStore manifests;
  private final BerthMetrics metrics;
  private final BlobForwarder blobs;

  /** Per upstream repository and subject, the last update of its referrers fallback tag. */
  private final Map<String, CompletableFuture<Void>> fallbackTags = new ConcurrentHashMap<>();

  /**
   * A forwarder that streams at most {@code parallelUploads} blob uploads to upstreams at once;
   * further blobs wait for a free stream. Uploads from growing files read on {@code blocking}.
   */
  public Forwarder(
      Upstreams upstreams,
      BlobStore blobs,
      ManifestStore manifests,
      BerthMetrics metrics,
      Executor blocking,
      int parallelUploads) {
    this.upstreams = upstreams;
    this.manifests = manifests;
    this.metrics = metrics;
    this.blobs = new BlobForwarder(upstreams, blobs, metrics, blocking, parallelUploads);
  }

  /** Starts forwarding blob {@code digest} of {@code target}, or joins the forward in flight. */
  public CompletableFuture<Void> blob(Target target, Digest digest) {
    return blobs.stored(target, digest);
  }

  /**
   * Starts forwarding blob {@code digest} of {@code target} while a client is still uploading it,
   * from {@code growing} as it grows; falls back to the stored blob once {@code stored} completes
   * should that fail. Later calls of {@link #blob} join this forward.
   */
  public CompletableFuture<Void> blobWhileUploading(
      Target target, Digest digest, Content growing, CompletableFuture<?> stored) {
    return blobs.growing(target, digest, growing, stored);
  }

  /**
   * Forwards {@code manifest}, stored under {@code reference} of {@code target}: first every blob
   * it names and every child manifest the upstream lacks, then the manifest itself. Fails with the
   * OCI error the upstream's answer maps to.
   */
  public CompletableFuture<Void> manifest(
      Target target, String reference, Manifest manifest, List<Digest> blobsNamed) {
    List<CompletableFuture<Void>> first = new ArrayList<>();
    blobsNamed.forEach(d -> first.add(blob(target, d)));
    // Only entries that are manifests: BuildKit's cache index lists blobs as its entries.
    manifest.named().manifests().forEach(d -> first.add(child(target, d)));
    return CompletableFuture.allOf(first.toArray(CompletableFuture[]::new))
        .thenCompose(v -> putManifest(target, reference, manifest));
  }

  private CompletableFuture<Void> child(Target target, Digest digest) {
    UpstreamCall head =
        UpstreamCall.push(
            HttpMethod.HEAD,
            repo(target),
            "/v2/" + repo(target) + "/manifests/" + digest,
            null,
            "check manifest " + digest + " at " + target);
    return client(target)
        .fetch(head)
        .thenCompose(
            res -> {
              if (res.status().code() == 200) {
                return CompletableFuture.completedFuture(null);
              }
              Manifest child;
              try {
                child =
                    manifests.get(digest).orElseThrow(() -> ManifestPush.unknown(List.of(digest)));
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
              return manifest(target, digest.toString(), child, child.named().blobs());
            });
  }

  private CompletableFuture<Void> putManifest(Target target, String reference, Manifest m) {
    UpstreamCall put =
        UpstreamCall.push(
            HttpMethod.PUT,
            repo(target),
            "/v2/" + repo(target) + "/manifests/" + reference,
            new UpstreamCall.Body(
                () -> StreamMessage.of(HttpData.wrap(m.bytes())), m.bytes().length, m.mediaType()),
            "forward manifest "
                + target
                + (reference.startsWith("sha256:") ? "@" : ":")
                + reference);
    return client(target)
        .fetch(put)
        .thenCompose(
            res -> {
              expect(put, res, 201, OciError.MANIFEST_INVALID);
              metrics.bytesForwarded(target.registry(), m.bytes().length);
              var subject = m.subject();
              // An upstream with the referrers API says so with OCI-Subject; without it, clients
              // look for the referrers tag schema's index, kept up to date here.
              if (subject.isEmpty() || res.headers().contains("oci-subject")) {
                return CompletableFuture.completedFuture(null);
              }
              return fallbackTag(target, subject.get(), m);
            });
  }

  /**
   * Adds {@code referrer} to the index tagged {@code <alg>-<hex>} of {@code subject} at the
   * upstream, as the referrers tag schema of distribution-spec 1.1 has it. Updates of one subject's
   * index follow each other.
   */
  private CompletableFuture<Void> fallbackTag(Target target, Digest subject, Manifest referrer) {
    String tag = subject.algorithm() + "-" + subject.hex();
    String key = target + ":" + tag;
    CompletableFuture<Void> mine = new CompletableFuture<>();
    CompletableFuture<Void> before = fallbackTags.put(key, mine);
    CompletableFuture<Void> after =
        before == null ? CompletableFuture.completedFuture(null) : before;
    after
        .handle((v, e) -> null)
        .thenCompose(v -> updateFallbackTag(target, tag, referrer))
        .whenComplete(
            (v, e) -> {
              fallbackTags.remove(key, mine);
              if (e != null) {
                mine.completeExceptionally(UpstreamFailure.unwrap(e));
              } else {
                mine.complete(null);
              }
            });
    return mine;
  }

  private CompletableFuture<Void> updateFallbackTag(Target target, String tag, Manifest referrer) {
    String repo = repo(target);
    String path = "/v2/" + repo + "/manifests/" + tag;
    UpstreamCall get =
        new UpstreamCall(
            HttpMethod.GET,
            path,
            List.of(MediaTypes.OCI_INDEX),
            "repository:" + repo + ":pull,push",
            0,
            4 << 20,
            "read referrers index " + target + ":" + tag);
    UpstreamClient client = client(target);
    return client
        .fetch(get)
        .thenCompose(
            res -> {
              ObjectNode index;
              if (res.status().code() == 404) {
                index = JSON.createObjectNode();
                index.put("schemaVersion", 2);
                index.put("mediaType", MediaTypes.OCI_INDEX);
                index.putArray("manifests");
              } else {
                expect(get, res, 200, OciError.MANIFEST_INVALID);
                try {
                  index = (ObjectNode) JSON.readTree(res.content().array());
                } catch (IOException | ClassCastException e) {
                  throw OciError.UPSTREAM_INVALID.with(
                      get.description() + ": not a JSON index: " + e.getMessage());
                }
              }
              ArrayNode entries = index.withArray("manifests");
              String digest = referrer.digest().toString();
              for (JsonNode entry : entries) {
                if (digest.equals(entry.path("digest").asText())) {
                  return CompletableFuture.<Void>completedFuture(null);
                }
              }
              entries.add(referrer.referrerDescriptor());
              byte[] bytes;
              try {
                bytes = JSON.writeValueAsBytes(index);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
              UpstreamCall put =
                  UpstreamCall.push(
                      HttpMethod.PUT,
                      repo,
                      path,
                      new UpstreamCall.Body(
                          () -> StreamMessage.of(HttpData.wrap(bytes)),
                          bytes.length,
                          MediaTypes.OCI_INDEX),
                      "update referrers index " + target + ":" + tag);
              return client
                  .fetch(put)
                  .thenAccept(answer -> expect(put, answer, 201, OciError.MANIFEST_INVALID));
            });
  }

  /**
   * Fails with the client's error for the upstream's answer unless it has status {@code wanted}.
   */
  static void expect(UpstreamCall call, AggregatedHttpResponse res, int wanted, OciError refused) {
    if (res.status().code() != wanted) {
      throw UpstreamFailure.answered(call, res, "the upstream", OciError.NAME_UNKNOWN, refused);
    }
  }

  private UpstreamClient client(Target target) {
    return upstreams.client(target);
  }

  private static String repo(Target target) {
    return target.repository().value();
  }

  /** The OCI error a client gets for a forward that failed with {@code e}. */
  public static RegistryException failure(Throwable e) {
    return UpstreamFailure.of("forwarding", e);
  }

  static String message(Throwable e) {
    Throwable t = UpstreamFailure.unwrap(e);
    return t instanceof UpstreamException || t instanceof RegistryException
        ? String.valueOf(t.getMessage())
        : t.toString();
  }
}
