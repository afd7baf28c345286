package dev.berth.push;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.stream.StreamMessage;
import com.linecorp.armeria.common.stream.StreamWriter;
import dev.berth.errors.OciError;
import dev.berth.metrics.BerthMetrics;
import dev.berth.oci.Digest;
import dev.berth.pull.Content;
import dev.berth.pull.ContentStream;
import dev.berth.pull.StoredContent;
import dev.berth.routing.Target;
import dev.berth.storage.BlobStore;
import dev.berth.storage.StoredBlob;
import dev.berth.upstream.UpstreamCall;
import dev.berth.upstream.UpstreamClient;
import dev.berth.upstream.UpstreamFailure;
import dev.berth.upstream.Upstreams;
import dev.berth.upstream.auth.Scopes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards pushed blobs to their upstream: skipped when the upstream has the blob, mounted from
 * another of its repositories that holds it, uploaded otherwise, at most {@code parallelUploads} at
 * once. A blob is uploaded from the store, or, while the client is still pushing it to Berth, from
 * the upload as it grows, so that the two transfers overlap. One forward per blob and repository at
 * a time; later callers join it. Thread-safe.
 */
final class BlobForwarder {
  private static final Logger log = LoggerFactory.getLogger(BlobForwarder.class);
  private static final String OCTET_STREAM = "application/octet-stream";

  private final Upstreams upstreams;
  private final BlobStore blobs;
  private final BerthMetrics metrics;
  private final Executor blocking;
  private final Permits uploadStreams;
  private final Map<String, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();

  /** Per upstream host and blob, a repository there that holds it: a source for mounts. */
  private final Cache<String, String> knownAt = Caffeine.newBuilder().maximumSize(100_000).build();

  /** What an upload sends: the blob's size and a new body each time it is asked (retries). */
  private record Source(long size, Supplier<StreamMessage<HttpData>> body) {}

  BlobForwarder(
      Upstreams upstreams,
      BlobStore blobs,
      BerthMetrics metrics,
      Executor blocking,
      int parallelUploads) {
    this.upstreams = upstreams;
    this.blobs = blobs;
    this.metrics = metrics;
    this.blocking = blocking;
    this.uploadStreams = new Permits(parallelUploads);
  }

  /** Forwards stored blob {@code digest} of {@code target}, or joins its forward in flight. */
  CompletableFuture<Void> stored(Target target, Digest digest) {
    return track(target, digest, () -> send(target, digest, () -> fromStore(digest)));
  }

  /**
   * Forwards blob {@code digest} of {@code target} while a client is still uploading it: the
   * upstream gets {@code growing}'s bytes as they arrive. Should that fail, the blob is forwarded
   * from the store once {@code stored} completes (the client's upload committed).
   */
  CompletableFuture<Void> growing(
      Target target, Digest digest, Content growing, CompletableFuture<?> stored) {
    return track(
        target,
        digest,
        () ->
            send(target, digest, () -> following(growing))
                .exceptionallyCompose(
                    e -> {
                      log.info(
                          "forwarding {} to {} while it was uploaded failed ({}); sending it"
                              + " from the store",
                          digest,
                          target,
                          Forwarder.message(e));
                      return stored.thenCompose(v -> send(target, digest, () -> fromStore(digest)));
                    }));
  }

  private CompletableFuture<Void> track(
      Target target, Digest digest, Supplier<CompletableFuture<Void>> forward) {
    String key = target + "@" + digest;
    CompletableFuture<Void> mine = new CompletableFuture<>();
    CompletableFuture<Void> running = inFlight.putIfAbsent(key, mine);
    if (running != null) {
      return running;
    }
    forward
        .get()
        .whenComplete(
            (v, e) -> {
              inFlight.remove(key, mine);
              if (e != null) {
                log.warn(
                    "forwarding blob {} to {} failed: {}", digest, target, Forwarder.message(e));
                mine.completeExceptionally(UpstreamFailure.unwrap(e));
              } else {
                knownAt.put(target.registry() + "@" + digest, repo(target));
                mine.complete(null);
              }
            });
    return mine;
  }

  private Source fromStore(Digest digest) {
    // Not upstream and not here: the client skipped the upload because Berth's HEAD found the
    // blob upstream, and it is gone since.
    StoredBlob held = blobs.find(digest).orElseThrow(() -> ManifestPush.unknown(List.of(digest)));
    return following(new StoredContent(held));
  }

  private Source following(Content growing) {
    return new Source(
        growing.size(),
        () -> {
          StreamWriter<HttpData> body = StreamMessage.streaming();
          try {
            ContentStream.write(body, growing, 0, growing.size(), blocking, blocking, n -> {});
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          return body;
        });
  }

  private CompletableFuture<Void> send(Target target, Digest digest, Supplier<Source> source) {
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
              Source body = source.get();
              String known = knownAt.getIfPresent(target.registry() + "@" + digest);
              String from = known != null && !known.equals(repo) ? known : null;
              UpstreamCall start = start(target, digest, from);
              return client
                  .fetch(start)
                  .thenCompose(
                      started ->
                          from != null && started.status().code() == 201
                              ? CompletableFuture.<Void>completedFuture(null)
                              : upload(client, target, digest, body, start, started));
            });
  }

  /** POST of an upload, or of a mount from {@code from} (null: none) that costs no upload. */
  private static UpstreamCall start(Target target, Digest digest, @Nullable String from) {
    String repo = repo(target);
    return new UpstreamCall(
        HttpMethod.POST,
        "/v2/"
            + repo
            + "/blobs/uploads/"
            + (from != null ? "?mount=" + digest + "&from=" + from : ""),
        List.of(),
        // One token covers both repositories.
        Scopes.merge(
            from != null
                ? List.of("repository:" + repo + ":pull,push", "repository:" + from + ":pull")
                : List.of("repository:" + repo + ":pull,push")),
        0,
        64 << 10,
        (from != null ? "mount " + digest + " from " + from : "start upload of " + digest)
            + " to "
            + target,
        new UpstreamCall.Body(() -> StreamMessage.<HttpData>of(), 0, OCTET_STREAM));
  }

  private CompletableFuture<Void> upload(
      UpstreamClient client,
      Target target,
      Digest digest,
      Source source,
      UpstreamCall start,
      AggregatedHttpResponse started) {
    Forwarder.expect(start, started, 202, OciError.BLOB_UPLOAD_INVALID);
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
    String query = uri.getRawQuery() == null ? "" : uri.getRawQuery() + "&";
    UpstreamCall put =
        UpstreamCall.push(
            HttpMethod.PUT,
            repo(target),
            uri.getRawPath() + "?" + query + "digest=" + digest,
            new UpstreamCall.Body(source.body(), source.size(), OCTET_STREAM),
            "forward blob " + digest + " to " + target);
    return uploadStreams.run(
        () ->
            client
                .fetch(put)
                .thenAccept(
                    res -> {
                      Forwarder.expect(put, res, 201, OciError.BLOB_UPLOAD_INVALID);
                      metrics.bytesForwarded(target.registry(), source.size());
                    }));
  }

  private UpstreamClient client(Target target) {
    return upstreams.client(target);
  }

  private static String repo(Target target) {
    return target.repository().value();
  }
}
