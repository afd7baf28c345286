package dev.berth.push;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.stream.StreamMessage;
import dev.berth.http.OciError;
import dev.berth.http.RegistryException;
import dev.berth.oci.Digest;
import dev.berth.oci.Manifest;
import dev.berth.routing.Target;
import dev.berth.storage.BlobFile;
import dev.berth.storage.BlobStore;
import dev.berth.storage.ManifestStore;
import dev.berth.upstream.UpstreamCall;
import dev.berth.upstream.UpstreamClient;
import dev.berth.upstream.UpstreamException;
import dev.berth.upstream.Upstreams;
import dev.berth.upstream.auth.Scopes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards pushed content to its upstream in sync mode: each blob as soon as its upload completes
 * (skipped when the upstream already has it), and a manifest once every blob and child it names is
 * there, so that the client's manifest {@code PUT} is answered with the upstream's answer. Every
 * request carries a token minted for it, so the length of a build never meets a token's lifetime.
 * One forward per blob and repository at a time. Thread-safe.
 */
public final class Forwarder {
  private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
  private static final String OCTET_STREAM = "application/octet-stream";

  private final Upstreams upstreams;
  private final BlobStore blobs;
  private final ManifestStore manifests;
  private final Map<String, CompletableFuture<Void>> blobsInFlight = new ConcurrentHashMap<>();

  /** Per upstream host and blob, a repository there that holds it: a source for mounts. */
  private final Cache<String, String> knownAt = Caffeine.newBuilder().maximumSize(100_000).build();

  public Forwarder(Upstreams upstreams, BlobStore blobs, ManifestStore manifests) {
    this.upstreams = upstreams;
    this.blobs = blobs;
    this.manifests = manifests;
  }

  /** Starts forwarding blob {@code digest} of {@code target}, or joins the forward in flight. */
  public CompletableFuture<Void> blob(Target target, Digest digest) {
    String key = target + "@" + digest;
    CompletableFuture<Void> mine = new CompletableFuture<>();
    CompletableFuture<Void> running = blobsInFlight.putIfAbsent(key, mine);
    if (running != null) {
      return running;
    }
    sendBlob(target, digest)
        .whenComplete(
            (v, e) -> {
              blobsInFlight.remove(key, mine);
              if (e == null) {
                knownAt.put(target.registry() + "@" + digest, repo(target));
              }
              if (e != null) {
                log.warn("forwarding blob {} to {} failed: {}", digest, target, message(e));
                mine.completeExceptionally(UpstreamClient.unwrap(e));
              } else {
                mine.complete(null);
              }
            });
    return mine;
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
    ManifestPush.childrenOf(manifest).forEach(d -> first.add(child(target, d)));
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
              return manifest(target, digest.toString(), child, ManifestPush.blobsOf(child));
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
        .thenAccept(res -> expect(put, res, 201, OciError.MANIFEST_INVALID));
  }

  private CompletableFuture<Void> sendBlob(Target target, Digest digest) {
    String repo = repo(target);
    UpstreamClient client = client(target);
    UpstreamCall head =
        UpstreamCall.push(
            HttpMethod.HEAD,
            repo,
            "/v2/" + repo + "/blobs/" + digest,
            null,
            "check blob " + digest + " at " + target);
    return client
        .fetch(head)
        .thenCompose(
            res -> {
              if (res.status().code() == 200) {
                return CompletableFuture.completedFuture(null);
              }
              // Not upstream and not here: the client skipped the upload because Berth's HEAD
              // found the blob upstream, and it is gone since.
              BlobFile held =
                  blobs.find(digest).orElseThrow(() -> ManifestPush.unknown(List.of(digest)));
              String source = knownAt.getIfPresent(target.registry() + "@" + digest);
              boolean mount = source != null && !source.equals(repo);
              // A mount from a repository that holds it costs no upload; one token covers both.
              UpstreamCall start =
                  new UpstreamCall(
                      HttpMethod.POST,
                      "/v2/"
                          + repo
                          + "/blobs/uploads/"
                          + (mount ? "?mount=" + digest + "&from=" + source : ""),
                      List.of(),
                      Scopes.merge(
                          mount
                              ? List.of(
                                  "repository:" + repo + ":pull,push",
                                  "repository:" + source + ":pull")
                              : List.of("repository:" + repo + ":pull,push")),
                      0,
                      64 << 10,
                      (mount ? "mount " + digest + " from " + source : "start upload of " + digest)
                          + " to "
                          + target,
                      new UpstreamCall.Body(() -> StreamMessage.<HttpData>of(), 0, OCTET_STREAM));
              return client
                  .fetch(start)
                  .thenCompose(
                      started ->
                          mount && started.status().code() == 201
                              ? CompletableFuture.<Void>completedFuture(null)
                              : upload(client, target, digest, held, start, started));
            });
  }

  private CompletableFuture<Void> upload(
      UpstreamClient client,
      Target target,
      Digest digest,
      BlobFile held,
      UpstreamCall start,
      AggregatedHttpResponse started) {
    expect(start, started, 202, OciError.BLOB_UPLOAD_INVALID);
    String location = started.headers().get(HttpHeaderNames.LOCATION);
    if (location == null) {
      throw OciError.UPSTREAM_UNAVAILABLE.with(start.description() + ": no Location in the answer");
    }
    URI endpoint = client.endpoints().get(0);
    URI uri = endpoint.resolve(location);
    if (!uri.getAuthority().equalsIgnoreCase(endpoint.getAuthority())) {
      throw OciError.UPSTREAM_UNAVAILABLE.with(
          start.description() + ": the upload location is on another host: " + uri.getAuthority());
    }
    Path file = held.path();
    long size = held.size();
    String query = uri.getRawQuery() == null ? "" : uri.getRawQuery() + "&";
    UpstreamCall put =
        UpstreamCall.push(
            HttpMethod.PUT,
            repo(target),
            uri.getRawPath() + "?" + query + "digest=" + digest,
            new UpstreamCall.Body(() -> StreamMessage.of(file), size, OCTET_STREAM),
            "forward blob " + digest + " to " + target);
    return client.fetch(put).thenAccept(res -> expect(put, res, 201, OciError.BLOB_UPLOAD_INVALID));
  }

  /** Fails with an OCI error unless {@code res} has status {@code wanted}. */
  private static void expect(
      UpstreamCall call, AggregatedHttpResponse res, int wanted, OciError otherwise) {
    int status = res.status().code();
    if (status == wanted) {
      return;
    }
    String detail = call.description() + ": the upstream answered " + res.status();
    RegistryException e =
        switch (status) {
          case 401 -> OciError.DENIED.with(detail + "; Berth's credentials were refused");
          case 403 -> OciError.DENIED.with(detail);
          case 404 -> OciError.NAME_UNKNOWN.with(detail);
          case 429 -> OciError.TOOMANYREQUESTS.with(detail);
          default ->
              status >= 500 ? OciError.UPSTREAM_UNAVAILABLE.with(detail) : otherwise.with(detail);
        };
    throw e;
  }

  private UpstreamClient client(Target target) {
    return upstreams.client(target.registry(), target.upstream().orElseThrow());
  }

  private static String repo(Target target) {
    return target.repository().value();
  }

  /** The OCI error a client gets for a forward that failed with {@code e}. */
  public static RegistryException failure(Throwable e) {
    Throwable t = UpstreamClient.unwrap(e);
    if (t instanceof RegistryException r) {
      return r;
    }
    if (t instanceof UpstreamException u && (u.status() == 401 || u.status() == 403)) {
      return OciError.DENIED.with("forwarding: " + u.getMessage());
    }
    return OciError.UPSTREAM_UNAVAILABLE.with("forwarding: " + message(t));
  }

  private static String message(Throwable e) {
    Throwable t = UpstreamClient.unwrap(e);
    return t instanceof UpstreamException || t instanceof RegistryException
        ? t.getMessage()
        : t.toString();
  }
}
