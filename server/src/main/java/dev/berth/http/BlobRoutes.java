package dev.berth.http;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.berth.errors.OciError;
import dev.berth.metrics.BerthMetrics;
import dev.berth.oci.Digest;
import dev.berth.pull.BlobFetcher;
import dev.berth.pull.Content;
import dev.berth.pull.PassThrough;
import dev.berth.routing.RegistryRoute;
import dev.berth.storage.CacheResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** {@code GET|HEAD /v2/<name>/blobs/<digest>}, with {@code Range}. Thread-safe. */
final class BlobRoutes {
  private final BlobFetcher fetcher;
  private final BerthMetrics metrics;

  BlobRoutes(BlobFetcher fetcher, BerthMetrics metrics) {
    this.fetcher = fetcher;
    this.metrics = metrics;
  }

  /** GET|HEAD /v2/&lt;name&gt;/blobs/&lt;digest&gt; */
  HttpResponse get(ServiceRequestContext ctx, RegistryRoute route) {
    Digest digest = route.reference().digestOr(OciError.DIGEST_INVALID);
    if (ctx.method() == HttpMethod.HEAD) {
      return HttpResponse.of(
          fetcher
              .size(route.target(), digest)
              .thenApply(
                  size ->
                      HttpResponse.of(
                          headers(
                                  HttpStatus.OK,
                                  digest,
                                  size.bytes(),
                                  size.hit() ? CacheResult.HIT : CacheResult.MISS)
                              .build())));
    }
    return HttpResponse.of(
        fetcher
            .get(route.target(), digest)
            .thenCompose(
                found -> {
                  PassThrough through = found.through();
                  return through != null
                      ? CompletableFuture.completedFuture(passThrough(ctx, digest, through))
                      : verifiedForRange(ctx, found)
                          .thenApply(
                              f ->
                                  serve(
                                      ctx,
                                      digest,
                                      f.stored(),
                                      f.hit() ? CacheResult.HIT : CacheResult.MISS));
                }));
  }

  /**
   * A blob the disk has no room for, streamed through from the upstream: whole, verified as it
   * passes. A {@code Range} of it cannot be verified, so it is refused before the status line.
   */
  private static HttpResponse passThrough(
      ServiceRequestContext ctx, Digest digest, PassThrough through) {
    if (ctx.request().headers().contains(HttpHeaderNames.RANGE)) {
      through.abort();
      throw OciError.UNAVAILABLE.with(
          digest + " is not cached and the disk is full: a range of it cannot be verified");
    }
    return HttpResponse.of(
        headers(HttpStatus.OK, digest, through.size(), CacheResult.MISS).build(),
        through.verifiedBody());
  }

  /**
   * A {@code Range} is answered from verified bytes only: on a blob still being fetched it waits
   * until the whole blob is verified (the one upstream fetch stays one), and a failed verification
   * reaches it as the error, before any status line. A whole-blob client streams as bytes arrive
   * and is cut should they turn out wrong.
   */
  private static CompletableFuture<BlobFetcher.Found> verifiedForRange(
      ServiceRequestContext ctx, BlobFetcher.Found found) {
    Content content = found.stored();
    if (content.isComplete() || !ctx.request().headers().contains(HttpHeaderNames.RANGE)) {
      return CompletableFuture.completedFuture(found);
    }
    return content
        .awaitBeyond(Long.MAX_VALUE - 1)
        .thenApply(
            v -> {
              Throwable failure = content.failure();
              if (failure instanceof RuntimeException r) {
                throw r;
              }
              if (failure != null) {
                throw OciError.UPSTREAM_UNAVAILABLE.with(
                    "the download failed: " + failure.getMessage());
              }
              return found;
            });
  }

  private HttpResponse serve(
      ServiceRequestContext ctx, Digest digest, Content content, CacheResult cache) {
    long size = content.size();
    String rangeHeader = ctx.request().headers().get(HttpHeaderNames.RANGE);
    Optional<ByteRange> range = ByteRange.parse(rangeHeader, size);
    ResponseHeadersBuilder headers;
    long start = 0;
    long end = size;
    if (range.isPresent()) {
      start = range.get().start();
      end = range.get().end();
      headers =
          headers(HttpStatus.PARTIAL_CONTENT, digest, range.get().length(), cache)
              .set(HttpHeaderNames.CONTENT_RANGE, range.get().contentRange(size));
    } else {
      headers = headers(HttpStatus.OK, digest, size, cache);
    }
    try {
      return FileStreamer.stream(ctx, headers.build(), content, start, end, metrics);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ResponseHeadersBuilder headers(
      HttpStatus status, Digest digest, long length, CacheResult cache) {
    ResponseHeadersBuilder b =
        ResponseHeaders.builder(status)
            .contentType(MediaType.OCTET_STREAM)
            .set(RegistryHeaders.CONTENT_DIGEST, digest.toString())
            .set(HttpHeaderNames.ACCEPT_RANGES, "bytes")
            .set("etag", "\"" + digest + "\"")
            .set(RegistryHeaders.CACHE, cache.label());
    if (length >= 0) {
      b.contentLength(length);
    }
    return b;
  }
}
