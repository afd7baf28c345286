package dev.berth.errors;

/**
 * An upstream call that failed. {@link #isTemporary()} says whether another endpoint or a later try
 * may succeed (connection errors, 429, 5xx, cut bodies) or not (a 4xx answer).
 */
public final class UpstreamException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean temporary;
  private final int status;
  private final java.time.Duration retryAfter;

  public UpstreamException(String message, boolean temporary, int status, Throwable cause) {
    this(message, temporary, status, null, cause);
  }

  /** As the other constructor, with the wait the upstream asked for in {@code Retry-After}. */
  public UpstreamException(
      String message,
      boolean temporary,
      int status,
      java.time.Duration retryAfter,
      Throwable cause) {
    super(message, cause);
    this.temporary = temporary;
    this.status = status;
    this.retryAfter = retryAfter;
  }

  /** How long the upstream asked callers to wait ({@code Retry-After}), if it said. */
  public java.util.Optional<java.time.Duration> retryAfter() {
    return java.util.Optional.ofNullable(retryAfter);
  }

  public boolean isTemporary() {
    return temporary;
  }

  /** The HTTP status the upstream answered with, or 0 when it gave none. */
  public int status() {
    return status;
  }
}
