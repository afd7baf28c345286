package dev.berth.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.berth.errors.BackendException;
import dev.berth.errors.OciError;
import dev.berth.errors.RegistryException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders every failure a client can see as the OCI error form {@code
 * {"errors":[{"code","message","detail"}]}}. Thread-safe.
 */
public final class OciErrorHandler implements ServerErrorHandler {
  private static final Logger log = LoggerFactory.getLogger(OciErrorHandler.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
    Throwable t = unwrap(cause);
    if (t instanceof RegistryException e) {
      closeIfBodyUnread(ctx, e.error().status());
      return render(ctx.method(), e.error(), e.detail()).toHttpResponse();
    }
    if (t instanceof com.linecorp.armeria.common.ContentTooLargeException
        || (t instanceof com.linecorp.armeria.server.HttpStatusException h
            && h.httpStatus().code() == 413)) {
      closeIfBodyUnread(ctx, HttpStatus.REQUEST_ENTITY_TOO_LARGE);
      return render(
              ctx.method(),
              OciError.BODY_TOO_LARGE,
              "the body is larger than " + ctx.maxRequestLength() + " bytes")
          .toHttpResponse();
    }
    BackendException backend = backendCause(t);
    if (backend != null) {
      // A backend that is away is no bug of Berth's: the client learns which one, the log once why.
      log.warn("{} {}: {}", ctx.method(), ctx.path(), backend.getMessage());
      closeIfBodyUnread(ctx, OciError.UNAVAILABLE.status());
      return render(ctx.method(), OciError.UNAVAILABLE, backend.getMessage()).toHttpResponse();
    }
    log.warn("{} {} failed unexpectedly", ctx.method(), ctx.path(), t);
    // The log has the cause; no class name or stack detail reaches a client.
    return render(ctx.method(), OciError.UNAVAILABLE, "internal error; Berth's log has the cause")
        .toHttpResponse();
  }

  /** The backend failure among {@code t} and its causes, if any. */
  private static @Nullable BackendException backendCause(Throwable t) {
    for (@Nullable Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof BackendException b) {
        return b;
      }
    }
    return null;
  }

  @Override
  public @Nullable AggregatedHttpResponse renderStatus(
      @Nullable ServiceRequestContext ctx,
      ServiceConfig config,
      @Nullable RequestHeaders headers,
      HttpStatus status,
      @Nullable String description,
      @Nullable Throwable cause) {
    return renderArmeriaStatus(headers, status, description, cause);
  }

  /** Requests Armeria refuses before any service sees them, e.g. a path with {@code ..}. */
  @Override
  public @Nullable AggregatedHttpResponse onProtocolViolation(
      ServiceConfig config,
      @Nullable RequestHeaders headers,
      HttpStatus status,
      @Nullable String description,
      @Nullable Throwable cause) {
    return renderArmeriaStatus(headers, status, description, cause);
  }

  private static @Nullable AggregatedHttpResponse renderArmeriaStatus(
      @Nullable RequestHeaders headers,
      HttpStatus status,
      @Nullable String description,
      @Nullable Throwable cause) {
    String detail = description != null ? description : status.reasonPhrase();
    @Nullable OciError error =
        switch (status.code()) {
          case 400 -> badRequest(detail + " " + causes(cause));
          case 404 -> OciError.NAME_UNKNOWN;
          case 405, 414, 431 -> OciError.UNSUPPORTED;
          case 413 -> OciError.SIZE_INVALID;
          case 416 -> OciError.RANGE_NOT_SATISFIABLE;
          default -> null;
        };
    if (error == null) {
      return null;
    }
    HttpMethod method = headers == null ? HttpMethod.GET : headers.method();
    return render(method, status, error, detail);
  }

  /**
   * The code of a request Armeria refused as malformed: {@code NAME_INVALID} only when the path is
   * what is wrong, {@code SIZE_INVALID} for a bad {@code Content-Length}, else {@code UNSUPPORTED}.
   */
  private static OciError badRequest(String detail) {
    String d = detail.toLowerCase(java.util.Locale.ROOT);
    if (d.contains("content-length")) {
      return OciError.SIZE_INVALID;
    }
    return d.contains("path") ? OciError.NAME_INVALID : OciError.UNSUPPORTED;
  }

  /** The OCI error body for {@code error}; HEAD responses carry no body, as HTTP requires. */
  public static AggregatedHttpResponse render(HttpMethod method, OciError error, String detail) {
    return render(method, error.status(), error, detail);
  }

  private static AggregatedHttpResponse render(
      HttpMethod method, HttpStatus status, OciError error, String detail) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode errors = body.putArray("errors");
    ObjectNode e = errors.addObject();
    e.put("code", error.code());
    // Clients show the message alone (skopeo, Docker, containerd): it carries the detail too.
    boolean detailed = detail != null && !detail.isEmpty();
    e.put("message", detailed ? error.message() + ": " + detail : error.message());
    e.put("detail", detailed ? detail : "");
    byte[] json = body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ResponseHeaders headers =
        ResponseHeaders.builder(status)
            .contentType(MediaType.JSON_UTF_8)
            .contentLength(json.length)
            .build();
    if (method == HttpMethod.HEAD) {
      return AggregatedHttpResponse.of(headers);
    }
    return AggregatedHttpResponse.of(headers, com.linecorp.armeria.common.HttpData.wrap(json));
  }

  /** The messages of {@code cause} and its causes, to tell what a decoder refused. */
  private static String causes(@Nullable Throwable cause) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = cause; t != null && b.length() < 1000; t = t.getCause()) {
      b.append(t.getMessage()).append(' ');
    }
    return b.toString();
  }

  /**
   * A {@code 413} is sent before the body is read: the connection then closes, and says so ({@code
   * Connection: close}, or {@code GOAWAY}), so that no client sends its next request down a
   * connection the unread body has spoilt.
   */
  private static void closeIfBodyUnread(ServiceRequestContext ctx, HttpStatus status) {
    if (status.code() == 413) {
      var unused = ctx.initiateConnectionShutdown();
    }
  }

  /** The failure inside the wrappers a future adds. */
  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
