package dev.berth.errors;

import com.linecorp.armeria.common.HttpStatus;
import org.jspecify.annotations.Nullable;

/** The error codes of the OCI distribution spec, with the status and message Berth sends. */
public enum OciError {
  BLOB_UNKNOWN(HttpStatus.NOT_FOUND, "blob unknown to registry"),
  BLOB_UPLOAD_INVALID(HttpStatus.BAD_REQUEST, "blob upload invalid"),
  BLOB_UPLOAD_UNKNOWN(HttpStatus.NOT_FOUND, "blob upload unknown to registry"),
  DIGEST_INVALID(HttpStatus.BAD_REQUEST, "provided digest did not match uploaded content"),
  MANIFEST_BLOB_UNKNOWN(HttpStatus.NOT_FOUND, "manifest references a manifest or blob unknown"),
  MANIFEST_INVALID(HttpStatus.BAD_REQUEST, "manifest invalid"),
  MANIFEST_UNKNOWN(HttpStatus.NOT_FOUND, "manifest unknown to registry"),
  NAME_INVALID(HttpStatus.BAD_REQUEST, "invalid repository name"),
  NAME_UNKNOWN(HttpStatus.NOT_FOUND, "repository name not known to registry"),
  SIZE_INVALID(HttpStatus.BAD_REQUEST, "provided length did not match content length"),
  UNAUTHORIZED(HttpStatus.UNAUTHORIZED, "authentication required"),
  DENIED(HttpStatus.FORBIDDEN, "requested access to the resource is denied"),
  UNSUPPORTED(HttpStatus.METHOD_NOT_ALLOWED, "the operation is unsupported"),
  TOOMANYREQUESTS(HttpStatus.TOO_MANY_REQUESTS, "too many requests"),
  /** A request whose form is wrong where no more specific code applies. */
  REQUEST_INVALID("UNSUPPORTED", HttpStatus.BAD_REQUEST, "the request is malformed"),
  /** A tag page size ({@code n}) that is no count; Distribution's code for it. */
  PAGINATION_NUMBER_INVALID(HttpStatus.BAD_REQUEST, "invalid number of results requested"),
  /** A {@code Range} beyond the blob; sent as {@code SIZE_INVALID} with status 416. */
  RANGE_NOT_SATISFIABLE(
      "SIZE_INVALID",
      HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
      "requested range not satisfiable"),
  /** A chunk that does not start where the upload ends; the answer carries the upload's Range. */
  UPLOAD_OUT_OF_ORDER(
      "BLOB_UPLOAD_INVALID", HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, "chunk out of order"),
  /** A {@code Content-Range} no upload can reach (beyond any length Berth can hold). */
  UPLOAD_RANGE_INVALID(
      "BLOB_UPLOAD_INVALID",
      HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
      "requested range not satisfiable"),
  /** A request body larger than its route accepts. */
  BODY_TOO_LARGE("SIZE_INVALID", HttpStatus.REQUEST_ENTITY_TOO_LARGE, "request body too large"),
  /** A pushed manifest larger than Berth accepts. */
  MANIFEST_TOO_LARGE("MANIFEST_INVALID", HttpStatus.REQUEST_ENTITY_TOO_LARGE, "manifest too large"),
  /** Berth itself failed unexpectedly; the detail says how. Never a 500. */
  UNAVAILABLE("UNAVAILABLE", HttpStatus.SERVICE_UNAVAILABLE, "service unavailable"),
  /** An upstream could not be reached or failed; the detail names it and its last error. */
  UPSTREAM_UNAVAILABLE("UNAVAILABLE", HttpStatus.SERVICE_UNAVAILABLE, "upstream unavailable"),
  /** An upstream sent content that failed verification; nothing was stored. */
  UPSTREAM_INVALID(
      "DIGEST_INVALID", HttpStatus.BAD_GATEWAY, "upstream sent content that failed verification");

  private final String code;

  @SuppressWarnings("ImmutableEnumChecker") // HttpStatus is immutable, though not annotated.
  private final HttpStatus status;

  private final String message;

  OciError(HttpStatus status, String message) {
    this.code = name();
    this.status = status;
    this.message = message;
  }

  OciError(String code, HttpStatus status, String message) {
    this.code = code;
    this.status = status;
    this.message = message;
  }

  /** The code sent in the error body. */
  public String code() {
    return code;
  }

  public HttpStatus status() {
    return status;
  }

  public String message() {
    return message;
  }

  /** A failure with this code; {@code detail} says what was being done and what went wrong. */
  public RegistryException with(String detail) {
    return new RegistryException(this, detail);
  }

  /** As {@link #with(String)}, keeping what caused it (never shown to the client). */
  public RegistryException with(String detail, @Nullable Throwable cause) {
    return new RegistryException(this, detail, cause);
  }
}
