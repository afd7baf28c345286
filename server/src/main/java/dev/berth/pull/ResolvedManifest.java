package dev.berth.pull;

import dev.berth.oci.Manifest;

/**
 * A manifest ready to serve, and how it was had.
 *
 * @param manifest the manifest's exact bytes and type
 * @param result {@code hit} (from the store, fresh or confirmed), {@code miss} (fetched now) or
 *     {@code stale} (every endpoint failed; served past its TTL)
 */
public record ResolvedManifest(Manifest manifest, String result) {
  public boolean isStale() {
    return result.equals("stale");
  }
}
