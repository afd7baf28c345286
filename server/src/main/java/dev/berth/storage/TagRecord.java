package dev.berth.storage;

import dev.berth.oci.Digest;
import java.time.Instant;

/**
 * What a tag pointed to when Berth last asked its upstream.
 *
 * @param digest the manifest digest
 * @param mediaType the manifest's media type
 * @param checkedAt when the upstream last confirmed it
 */
public record TagRecord(Digest digest, String mediaType, Instant checkedAt) {
  public TagRecord withCheckedAt(Instant when) {
    return new TagRecord(digest, mediaType, when);
  }
}
