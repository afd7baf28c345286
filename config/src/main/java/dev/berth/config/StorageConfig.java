package dev.berth.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;

/**
 * The local store.
 *
 * @param diskBudget the most that cached blobs may take on disk; least recently used blobs are
 *     evicted past it (pushed blobs never are); 0 means no limit
 * @param uploadTtl how long an upload session may go without a write before it is deleted
 * @param allowDelete whether clients may delete manifests and blobs of local repositories
 */
public record StorageConfig(ByteSize diskBudget, Duration uploadTtl, boolean allowDelete) {
  public static final Duration DEFAULT_UPLOAD_TTL = Duration.ofHours(24);
  public static final StorageConfig DEFAULTS = new StorageConfig(null, null, false);

  public StorageConfig {
    diskBudget = diskBudget == null ? ByteSize.ofBytes(0) : diskBudget;
    uploadTtl = uploadTtl == null ? DEFAULT_UPLOAD_TTL : uploadTtl;
    if (uploadTtl.isNegative() || uploadTtl.isZero()) {
      throw new InvalidValueException("uploadTtl must be positive: " + uploadTtl);
    }
  }

  @JsonCreator
  static StorageConfig fromJson(
      @JsonProperty("diskBudget") ByteSize diskBudget,
      @JsonProperty("uploadTtl") Duration uploadTtl,
      @JsonProperty("allowDelete") Boolean allowDelete) {
    return new StorageConfig(diskBudget, uploadTtl, allowDelete != null && allowDelete);
  }

  public boolean unlimited() {
    return diskBudget.bytes() == 0;
  }
}
