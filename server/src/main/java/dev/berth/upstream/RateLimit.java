package dev.berth.upstream;

/**
 * An upstream's pull rate limit as its last answer stated it, in Docker Hub's headers: {@code
 * ratelimit-limit: 100;w=21600} and {@code ratelimit-remaining: 76;w=21600}. Unknown (-1) until an
 * answer carries them. Thread-safe.
 */
public final class RateLimit {
  private volatile long limit = -1;
  private volatile long remaining = -1;

  void update(String limitHeader, String remainingHeader) {
    long l = count(limitHeader);
    long r = count(remainingHeader);
    if (l >= 0) {
      limit = l;
    }
    if (r >= 0) {
      remaining = r;
    }
  }

  private static long count(String header) {
    if (header == null) {
      return -1;
    }
    String n = header.split(";", 2)[0].trim();
    try {
      return Long.parseLong(n);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Pulls allowed per window, or -1 when not stated. */
  public long limit() {
    return limit;
  }

  /** Pulls left in the window, or -1 when not stated. */
  public long remaining() {
    return remaining;
  }
}
