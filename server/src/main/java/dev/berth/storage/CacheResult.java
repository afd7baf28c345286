package dev.berth.storage;

import java.util.Locale;

/** How a request was answered, as the {@code Berth-Cache} header and the cache meter say it. */
public enum CacheResult {
  /** From the store: fresh, or confirmed by the upstream. */
  HIT,
  /** Fetched from the upstream now. */
  MISS,
  /** From the store past its time, because every endpoint failed. */
  STALE;

  private final String label = name().toLowerCase(Locale.ROOT);

  /** {@code hit}, {@code miss} or {@code stale}. */
  public String label() {
    return label;
  }
}
