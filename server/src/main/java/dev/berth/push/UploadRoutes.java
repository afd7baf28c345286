package dev.berth.push;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.berth.access.ClientAccess;
import dev.berth.config.UpstreamConfig;
import dev.berth.errors.OciError;
import dev.berth.errors.RegistryException;
import dev.berth.oci.Digest;
import dev.berth.pull.Content;
import dev.berth.pull.Membership;
import dev.berth.routing.RegistryRoute;
import dev.berth.routing.RouteResolver;
import dev.berth.routing.Target;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Blob uploads, the push side of {@code /v2/<name>/blobs/uploads/[<id>]}: monolithic, chunked with
 * {@code Content-Range}, streamed, single {@code POST ?digest=}; upload status and cancellation;
 * cross-repository mounts. A blob stored for an upstream's repository starts forwarding at once.
 * {@code Location} headers are built from the request's own scheme and host. Thread-safe.
 */
public final class UploadRoutes {
  private static final Pattern CONTENT_RANGE = Pattern.compile("(?:bytes[ =])?(\\d+)-(\\d+)");
  private static final String UPLOAD_UUID = "docker-upload-uuid";

  /** Smaller blobs are forwarded once stored: there is little to overlap. */
  private static final long FORWARD_WHILE_UPLOADING_BYTES = 1 << 20;

  private final Uploads uploads;
  private final Forwarder forwarder;
  private final DeleteRoutes deletes;
  private final Membership membership;
  private final RouteResolver routes;
  private final ClientAccess access;

  public UploadRoutes(
      Uploads uploads,
      Forwarder forwarder,
      DeleteRoutes deletes,
      Membership membership,
      RouteResolver routes,
      ClientAccess access) {
    this.uploads = uploads;
    this.forwarder = forwarder;
    this.deletes = deletes;
    this.membership = membership;
    this.routes = routes;
    this.access = access;
  }

  /**
   * After a blob is stored for {@code route}'s repository: the repository holds it, a local one
   * sees it again if it was deleted there; for an upstream one, forwarding starts (the manifest
   * waits for it).
   */
  private void forward(RegistryRoute route, Digest digest) {
    membership.addBlob(route.target(), digest);
    deletes.restore(route.target(), digest);
    if (!route.target().isLocal()) {
      var unused = forwarder.blob(route.target(), digest);
    }
  }

  /** POST, PATCH, PUT, GET and DELETE on {@code /v2/<name>/blobs/uploads/[<id>]}. */
  public HttpResponse upload(ServiceRequestContext ctx, HttpRequest req, RegistryRoute route) {
    PushRoutes.checkPushable(route.target(), ctx.method());
    // Upload bodies have no length limit (nor has the route): they stream to disk.
    String id = route.reference().text();
    HttpMethod method = ctx.method();
    if (id.isEmpty()) {
      if (method != HttpMethod.POST) {
        throw OciError.UNSUPPORTED.with(method + " needs an upload id");
      }
      return start(ctx, req, route);
    }
    return switch (method.name()) {
      case "PATCH" ->
          HttpResponse.of(
              uploads
                  .append(id, req, contentRangeStart(req))
                  .handle((size, e) -> progress(ctx, id, size, e)));
      case "PUT" -> finish(ctx, req, route, id);
      case "GET", "HEAD" ->
          HttpResponse.of(
              progressHeaders(ctx, id, uploads.size(id), HttpStatus.NO_CONTENT).build());
      case "DELETE" -> {
        uploads.size(id); // BLOB_UPLOAD_UNKNOWN for a session that does not exist
        uploads.cancel(id);
        yield HttpResponse.of(HttpStatus.NO_CONTENT);
      }
      default -> throw OciError.UNSUPPORTED.with(method + " on an upload");
    };
  }

  private HttpResponse start(ServiceRequestContext ctx, HttpRequest req, RegistryRoute route) {
    String mount = ctx.queryParam("mount");
    if (mount != null) {
      Digest digest = parseDigest(mount);
      if (mayMount(ctx, route.target(), digest, ctx.queryParam("from")) && uploads.mount(digest)) {
        req.abort();
        forward(route, digest);
        return created(ctx, digest);
      }
      // Not held where the client may read it: it goes on with an upload, as the spec says.
    }
    String single = ctx.queryParam("digest");
    Digest digest = single != null && mount == null ? parseDigest(single) : null;
    String id;
    try {
      id = uploads.start();
    } catch (IOException e) {
      throw OciError.UNAVAILABLE.with("cannot start an upload: " + e.getMessage());
    }
    if (digest != null) {
      String session = id;
      return HttpResponse.of(
          completeAndForward(route, req, id, digest, -1)
              .whenComplete(
                  (size, e) -> {
                    if (e != null) {
                      // The client never learnt this session: what it received goes at once.
                      uploads.cancel(session);
                    }
                  })
              .thenApply(
                  size -> {
                    forward(route, digest);
                    return created(ctx, digest);
                  }));
    }
    req.abort();
    return HttpResponse.of(progressHeaders(ctx, id, 0, HttpStatus.ACCEPTED).build());
  }

  /**
   * Whether {@code digest} may be mounted into {@code target}: {@code target} holds it already, or
   * {@code from} names a repository the client may pull from that holds it. A {@code from} that
   * names no repository Berth serves is no source; nothing is asked of any upstream.
   */
  private boolean mayMount(
      ServiceRequestContext ctx, Target target, Digest digest, @Nullable String from) {
    if (membership.holds(target, digest)) {
      return true;
    }
    if (from == null || from.isEmpty()) {
      return false;
    }
    Target source;
    try {
      source = routes.named(from);
    } catch (RegistryException e) {
      return false;
    }
    return access.allows(ctx, source, false) && membership.holds(source, digest);
  }

  private HttpResponse finish(
      ServiceRequestContext ctx, HttpRequest req, RegistryRoute route, String id) {
    String digestParam = ctx.queryParam("digest");
    if (digestParam == null) {
      req.abort();
      throw OciError.DIGEST_INVALID.with("PUT of an upload needs ?digest=");
    }
    Digest digest = parseDigest(digestParam);
    return HttpResponse.of(
        completeAndForward(route, req, id, digest, contentRangeStart(req))
            .handle(
                (size, e) -> {
                  if (e != null) {
                    return progress(ctx, id, null, e);
                  }
                  forward(route, digest);
                  return created(ctx, digest);
                }));
  }

  /**
   * Completes upload {@code id} with {@code req}'s body. A whole blob in one request, of a known
   * length, to an upstream that forwards in sync mode is forwarded while it streams in: the
   * upstream receives it at the same time as Berth, so the client's manifest {@code PUT} does not
   * wait for a second transfer after the first.
   */
  private CompletableFuture<Long> completeAndForward(
      RegistryRoute route, HttpRequest req, String id, Digest digest, long expectedStart) {
    Target target = route.target();
    long length = req.headers().contentLength();
    boolean stream =
        !target.isLocal()
            && target.upstreamConfig().forwarding() == UpstreamConfig.ForwardMode.SYNC
            && length >= FORWARD_WHILE_UPLOADING_BYTES
            && uploads.size(id) == 0;
    Content growing = stream ? uploads.follow(id, digest, length) : null;
    CompletableFuture<Long> stored = uploads.complete(id, digest, req, expectedStart);
    if (growing != null) {
      var unused = forwarder.blobWhileUploading(target, digest, growing, stored);
    }
    return stored;
  }

  private HttpResponse progress(
      ServiceRequestContext ctx, String id, @Nullable Long size, @Nullable Throwable e) {
    if (e == null) {
      long stored = size == null ? 0 : size;
      return HttpResponse.of(progressHeaders(ctx, id, stored, HttpStatus.ACCEPTED).build());
    }
    Throwable cause = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
    if (cause instanceof Uploads.ChunkOutOfOrder out) {
      // The error body comes from the shared handler; the headers say where the upload is.
      progressHeaders(ctx, id, out.size(), HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
          .build()
          .forEach(
              (name, value) -> {
                if (!name.toString().startsWith(":")
                    && !name.contentEqualsIgnoreCase("content-length")) {
                  ctx.addAdditionalResponseHeader(name, value);
                }
              });
      throw OciError.UPLOAD_OUT_OF_ORDER.with(String.valueOf(out.getMessage()));
    }
    if (cause instanceof RuntimeException r) {
      throw r;
    }
    throw new IllegalStateException(cause);
  }

  private ResponseHeadersBuilder progressHeaders(
      ServiceRequestContext ctx, String id, long size, HttpStatus status) {
    return ResponseHeaders.builder(status)
        .set(HttpHeaderNames.LOCATION, base(ctx, "/blobs/uploads") + "/blobs/uploads/" + id)
        .set(HttpHeaderNames.RANGE, "0-" + Math.max(0, size - 1))
        .set(UPLOAD_UUID, id)
        .contentLength(0);
  }

  private HttpResponse created(ServiceRequestContext ctx, Digest digest) {
    String base = ctx.path().contains("/blobs/uploads") ? base(ctx, "/blobs/uploads") : "";
    return HttpResponse.of(
        ResponseHeaders.builder(HttpStatus.CREATED)
            .set(HttpHeaderNames.LOCATION, base + "/blobs/" + digest)
            .set("docker-content-digest", digest.toString())
            .contentLength(0)
            .build());
  }

  private static long contentRangeStart(HttpRequest req) {
    String range = req.headers().get(HttpHeaderNames.CONTENT_RANGE);
    if (range == null) {
      return -1;
    }
    Matcher m = CONTENT_RANGE.matcher(range.trim());
    if (!m.matches()) {
      throw OciError.BLOB_UPLOAD_INVALID.with("not a Content-Range: " + range);
    }
    try {
      long start = Long.parseLong(m.group(1));
      Long.parseLong(m.group(2)); // An end no upload can reach is as wrong as such a start.
      return start;
    } catch (NumberFormatException e) {
      throw OciError.UPLOAD_RANGE_INVALID.with("Content-Range " + range + " is out of range");
    }
  }

  private static Digest parseDigest(String text) {
    try {
      return Digest.of(text);
    } catch (IllegalArgumentException e) {
      throw OciError.DIGEST_INVALID.with("not a digest: " + text);
    }
  }

  /**
   * The absolute URL of the repository as the client named it: its scheme and host, and the path up
   * to {@code marker}, with the {@code ns} it sent.
   */
  static String base(ServiceRequestContext ctx, String marker) {
    String path = ctx.path();
    int at = path.lastIndexOf(marker);
    String host = ctx.request().headers().authority();
    String scheme = ctx.sessionProtocol().isTls() ? "https" : "http";
    return scheme + "://" + host + (at < 0 ? path : path.substring(0, at));
  }
}
