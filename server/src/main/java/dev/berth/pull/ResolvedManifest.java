package dev.berth.pull;

import dev.berth.oci.Manifest;
import dev.berth.storage.CacheResult;

/**
 * A manifest ready to serve, and how it was had.
 *
 * @param manifest the manifest's exact bytes and type
 * @param result from the store, fetched now, or from the store past its TTL (every endpoint failed)
 */
public record ResolvedManifest(Manifest manifest, CacheResult result) {
  public boolean isStale() {
    return result == CacheResult.STALE;
  }
}
