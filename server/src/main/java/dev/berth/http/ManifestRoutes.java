package dev.berth.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.berth.errors.OciError;
import dev.berth.errors.RegistryException;
import dev.berth.metrics.BerthMetrics;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Manifest;
import dev.berth.oci.ManifestReference;
import dev.berth.oci.Platform;
import dev.berth.prefetch.Siblings;
import dev.berth.pull.ManifestResolver;
import dev.berth.pull.ResolvedManifest;
import dev.berth.routing.RegistryRoute;
import dev.berth.storage.CacheResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** {@code GET|HEAD /v2/<name>/manifests/<reference>}. Thread-safe. */
final class ManifestRoutes {
  /** Parsed media types: parsing one for each answer costs more than the rest of a hit. */
  private static final Cache<String, MediaType> CONTENT_TYPES =
      Caffeine.newBuilder().maximumSize(256).build();

  private final ManifestResolver resolver;
  private final Siblings siblings;
  private final BerthMetrics metrics;

  ManifestRoutes(ManifestResolver resolver, Siblings siblings, BerthMetrics metrics) {
    this.resolver = resolver;
    this.siblings = siblings;
    this.metrics = metrics;
  }

  /** GET|HEAD /v2/&lt;name&gt;/manifests/&lt;reference&gt; */
  HttpResponse get(ServiceRequestContext ctx, RegistryRoute route) {
    // Neither a tag nor a digest names no manifest: 404 MANIFEST_UNKNOWN, as Distribution
    // answers and the OCI conformance tests expect; a malformed digest is DIGEST_INVALID.
    ManifestReference ref =
        route
            .reference()
            .manifestOr(
                route.reference().looksLikeDigest()
                    ? OciError.DIGEST_INVALID
                    : OciError.MANIFEST_UNKNOWN);
    AcceptedTypes accepted = AcceptedTypes.of(ctx.request().headers());
    CompletableFuture<HttpResponse> res =
        resolver
            .resolve(route.target(), ref)
            .thenCompose(
                m -> {
                  siblings.served(route.target(), m.manifest());
                  return negotiate(route, m, accepted);
                })
            .thenApply(
                m -> {
                  siblings.served(route.target(), m.manifest());
                  return respond(ctx.method(), m);
                });
    if (ctx.method() == HttpMethod.HEAD && route.target().forwardsAsync()) {
      res = res.exceptionally(e -> unknownWhileUnavailable(route, e));
    }
    return HttpResponse.of(res);
  }

  /**
   * On an async push target a push client asks with {@code HEAD} whether a manifest is there before
   * pushing it, and an async push does not depend on the upstream: while the upstream cannot
   * answer, a manifest Berth does not hold is unknown, and the push goes ahead to be forwarded
   * later.
   */
  private static HttpResponse unknownWhileUnavailable(RegistryRoute route, Throwable e) {
    Throwable cause = OciErrorHandler.unwrap(e);
    if (cause instanceof RegistryException r && r.error() == OciError.UPSTREAM_UNAVAILABLE) {
      throw OciError.MANIFEST_UNKNOWN.with(
          route.target()
              + ":"
              + route.reference()
              + " is not held here and the upstream is unavailable ("
              + r.detail()
              + ")");
    }
    throw cause instanceof RuntimeException re ? re : new CompletionException(cause);
  }

  /**
   * The stored manifest when the client accepts its type; for a client that asks by tag and does
   * not accept an index, the index's linux/amd64 image, as Distribution serves it. A request by
   * digest always gets the bytes of that digest.
   */
  private CompletableFuture<ResolvedManifest> negotiate(
      RegistryRoute route, ResolvedManifest resolved, AcceptedTypes accepted) {
    Manifest m = resolved.manifest();
    boolean byDigest = route.reference().looksLikeDigest();
    if (!m.isIndex() || byDigest || accepted.accepts(m.mediaType())) {
      return CompletableFuture.completedFuture(resolved);
    }
    Descriptor child =
        m.childFor(Platform.LINUX_AMD64)
            .filter(d -> accepted.accepts(d.mediaType()))
            .orElseThrow(
                () ->
                    OciError.MANIFEST_UNKNOWN.with(
                        route.target()
                            + ":"
                            + route.reference()
                            + " is an index ("
                            + m.mediaType()
                            + ") and the client accepts only "
                            + accepted
                            + "; the index has no linux/amd64 image of an accepted type"));
    return resolver
        .resolve(route.target(), ManifestReference.of(child.digest()))
        .thenApply(
            c -> resolved.isStale() ? new ResolvedManifest(c.manifest(), CacheResult.STALE) : c);
  }

  private HttpResponse respond(HttpMethod method, ResolvedManifest resolved) {
    Manifest m = resolved.manifest();
    ResponseHeaders headers = headers(m, resolved);
    if (method == HttpMethod.HEAD) {
      return HttpResponse.of(headers);
    }
    metrics.bytesServed(m.bytes().length);
    return HttpResponse.of(headers, HttpData.wrap(m.bytes()));
  }

  private static ResponseHeaders headers(Manifest m, ResolvedManifest resolved) {
    var b =
        ResponseHeaders.builder(HttpStatus.OK)
            .contentType(CONTENT_TYPES.get(m.mediaType(), MediaType::parse))
            .contentLength(m.bytes().length)
            .set(RegistryHeaders.CONTENT_DIGEST, m.digest().toString())
            .set("etag", "\"" + m.digest() + "\"")
            .set(RegistryHeaders.CACHE, resolved.result().label());
    if (resolved.isStale()) {
      b.set("warning", "110 - \"Response is Stale\"");
    }
    return b.build();
  }
}
