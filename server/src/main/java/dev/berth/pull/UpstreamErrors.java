package dev.berth.pull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.ContentTooLargeException;
import dev.berth.errors.OciError;
import dev.berth.errors.RegistryException;
import dev.berth.errors.UpstreamException;
import dev.berth.upstream.Exchange;
import dev.berth.upstream.UpstreamCall;
import dev.berth.upstream.UpstreamClient;

/** Maps what an upstream answered, or how it failed, to the OCI error Berth's client gets. */
final class UpstreamErrors {
  private static final ObjectMapper JSON = new ObjectMapper();

  private UpstreamErrors() {}

  /** No endpoint could serve {@code call}; the detail names the upstream and its last error. */
  static RegistryException unavailable(UpstreamCall call, Throwable e) {
    Throwable t = UpstreamClient.unwrap(e);
    if (t instanceof RegistryException r) {
      return r;
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ContentTooLargeException) {
        return OciError.MANIFEST_INVALID.with(
            call.description()
                + ": the upstream's answer is larger than Berth accepts ("
                + call.maxLength()
                + " bytes)");
      }
    }
    if (t instanceof UpstreamException u && u.status() == 429) {
      return OciError.TOOMANYREQUESTS.with(u.getMessage());
    }
    if (t instanceof UpstreamException u && (u.status() == 401 || u.status() == 403)) {
      // Berth's own credentials for the upstream were refused: the client cannot fix that.
      return OciError.DENIED.with(call.description() + ": " + u.getMessage());
    }
    String detail = t instanceof UpstreamException ? t.getMessage() : call.description() + ": " + t;
    return OciError.UPSTREAM_UNAVAILABLE.with(detail);
  }

  /** The error for a final answer that is not a success, without its body. */
  static RegistryException forStatus(UpstreamCall call, Exchange x, OciError notFound) {
    return forStatus(call, x.status(), x.headers().status().toString(), x.endpoint(), notFound);
  }

  /** The error for a final answer that is not a success, naming the OCI code in its body. */
  static RegistryException forStatus(
      UpstreamCall call, AggregatedHttpResponse res, String endpoint, OciError notFound) {
    String said = res.status().toString();
    try {
      JsonNode code = JSON.readTree(res.contentUtf8()).path("errors").path(0).path("code");
      if (code.isTextual()) {
        said = res.status().code() + " " + code.asText();
      }
    } catch (java.io.IOException | RuntimeException e) {
      // Not an OCI error body: the status alone says enough.
    }
    return forStatus(call, res.status().code(), said, endpoint, notFound);
  }

  private static RegistryException forStatus(
      UpstreamCall call, int status, String said, String endpoint, OciError notFound) {
    String detail = call.description() + ": " + endpoint + " answered " + said;
    return switch (status) {
      case 404 -> notFound.with(detail);
      case 401 -> OciError.UNAUTHORIZED.with(detail + "; the upstream needs credentials");
      case 403 -> OciError.DENIED.with(detail);
      case 429 -> OciError.TOOMANYREQUESTS.with(detail);
      default -> OciError.UPSTREAM_UNAVAILABLE.with(detail);
    };
  }
}
