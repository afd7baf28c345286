package dev.berth.upstream;

/**
 * An upstream call that failed. {@link #isTemporary()} says whether another endpoint or a later try
 * may succeed (connection errors, 429, 5xx, cut bodies) or not (a 4xx answer).
 */
public final class UpstreamException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean temporary;
  private final int status;

  public UpstreamException(String message, boolean temporary, int status, Throwable cause) {
    super(message, cause);
    this.temporary = temporary;
    this.status = status;
  }

  public boolean isTemporary() {
    return temporary;
  }

  /** The HTTP status the upstream answered with, or 0 when it gave none. */
  public int status() {
    return status;
  }
}
