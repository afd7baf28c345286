package dev.berth.http;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.berth.access.ClientAccess;
import dev.berth.errors.OciError;
import dev.berth.metrics.BerthMetrics;
import dev.berth.prefetch.Siblings;
import dev.berth.pull.BlobFetcher;
import dev.berth.pull.ManifestResolver;
import dev.berth.pull.TagLister;
import dev.berth.push.DeleteRoutes;
import dev.berth.push.PushRoutes;
import dev.berth.push.UploadRoutes;
import dev.berth.routing.RegistryRoute;
import dev.berth.routing.RouteResolver;
import dev.berth.storage.CacheResult;

/**
 * The registry API under {@code /v2/}: resolves which upstream and repository a request is about,
 * then hands it to the routes of its kind. Thread-safe.
 */
public final class RegistryService implements HttpService {

  private final RouteResolver routes;
  private final ManifestRoutes manifests;
  private final BlobRoutes blobs;
  private final TagLister tags;
  private final UploadRoutes uploads;
  private final PushRoutes push;
  private final DeleteRoutes deletes;
  private final ClientAccess access;

  public RegistryService(
      RouteResolver routes,
      ManifestResolver manifests,
      BlobFetcher blobs,
      TagLister tags,
      UploadRoutes uploads,
      PushRoutes push,
      DeleteRoutes deletes,
      ClientAccess access,
      Siblings siblings,
      BerthMetrics metrics) {
    this.routes = routes;
    this.manifests = new ManifestRoutes(manifests, siblings, metrics);
    this.blobs = new BlobRoutes(blobs, metrics);
    this.tags = tags;
    this.uploads = uploads;
    this.push = push;
    this.deletes = deletes;
    this.access = access;
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    String path = ctx.path();
    if (path.equals("/v2/") || path.equals("/v2")) {
      access.checkBase(ctx);
      return base(ctx);
    }
    String raw = ctx.rawPath();
    int query = raw.indexOf('?');
    if ((query < 0 ? raw : raw.substring(0, query)).contains("//")) {
      // Armeria folds "//" into "/": read as such, a/ /b would name a/b's content.
      throw OciError.NAME_INVALID.with("a repository name has an empty component: " + raw);
    }
    String ns = ctx.queryParam("ns");
    if (ns != null && !ns.isEmpty()) {
      ctx.addAdditionalResponseHeader(RegistryHeaders.NAMESPACE, ns);
    }
    RegistryRoute route = routes.resolve(path.substring("/v2/".length()), ns);
    HttpMethod method = ctx.method();
    boolean read = method == HttpMethod.GET || method == HttpMethod.HEAD;
    // Before anything is fetched or forwarded: an upload's status is part of pushing.
    access.check(ctx, route.target(), !read || route.kind() == RegistryRoute.Kind.UPLOAD);
    if (read) {
      deletes.checkVisible(route);
    }
    return switch (route.kind()) {
      case MANIFEST ->
          read
              ? manifests.get(ctx, route)
              : method == HttpMethod.PUT
                  ? push.putManifest(ctx, req, route)
                  : method == HttpMethod.DELETE
                      ? deletes.deleteManifest(route)
                      : unsupported(method, "manifests");
      case BLOB ->
          read
              ? blobs.get(ctx, route)
              : method == HttpMethod.DELETE
                  ? deletes.deleteBlob(route)
                  : unsupported(method, "blobs");
      case TAGS -> read ? listTags(ctx, route) : unsupported(method, "tags");
      case UPLOAD -> uploads.upload(ctx, req, route);
      case REFERRERS -> read ? push.referrers(ctx, route) : unsupported(method, "referrers");
    };
  }

  /** GET /v2/ */
  private static HttpResponse base(ServiceRequestContext ctx) {
    if (ctx.method() != HttpMethod.GET && ctx.method() != HttpMethod.HEAD) {
      return unsupported(ctx.method(), "/v2/");
    }
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, "{}");
  }

  /** GET /v2/&lt;name&gt;/tags/list?n=&amp;last= */
  private HttpResponse listTags(ServiceRequestContext ctx, RegistryRoute route) {
    return HttpResponse.of(
        tags.list(route.target(), ctx.queryParams())
            .thenApply(
                page -> {
                  var headers =
                      ResponseHeaders.builder(HttpStatus.OK)
                          .contentType(MediaType.JSON_UTF_8)
                          .contentLength(page.body().length)
                          .set(
                              RegistryHeaders.CACHE,
                              (page.stale() ? CacheResult.STALE : CacheResult.MISS).label());
                  if (page.stale()) {
                    headers.set("warning", "110 - \"Response is Stale\"");
                  }
                  if (page.next() != null) {
                    String ns =
                        route.namespace() == null
                            ? ""
                            : "&" + QueryParams.of("ns", route.namespace()).toQueryString();
                    headers.set(
                        "link", "<" + ctx.path() + "?" + page.next() + ns + ">; rel=\"next\"");
                  }
                  return ctx.method() == HttpMethod.HEAD
                      ? HttpResponse.of(headers.build())
                      : HttpResponse.of(headers.build(), HttpData.wrap(page.body()));
                }));
  }

  private static HttpResponse unsupported(HttpMethod method, String what) {
    throw OciError.UNSUPPORTED.with(method + " on " + what + " is not supported by this Berth yet");
  }
}
