package dev.berth.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

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

  /** A value left out (null) takes its default. */
  public StorageConfig(
      @Nullable ByteSize diskBudget, @Nullable Duration uploadTtl, boolean allowDelete) {
    this.diskBudget = diskBudget == null ? ByteSize.ofBytes(0) : diskBudget;
    this.uploadTtl = uploadTtl == null ? DEFAULT_UPLOAD_TTL : uploadTtl;
    this.allowDelete = allowDelete;
    if (this.uploadTtl.isNegative() || this.uploadTtl.isZero()) {
      throw new InvalidValueException("uploadTtl must be positive: " + this.uploadTtl);
    }
  }

  @JsonCreator
  static StorageConfig fromJson(
      @JsonProperty("diskBudget") @Nullable ByteSize diskBudget,
      @JsonProperty("uploadTtl") @Nullable Duration uploadTtl,
      @JsonProperty("allowDelete") @Nullable Boolean allowDelete) {
    return new StorageConfig(diskBudget, uploadTtl, allowDelete != null && allowDelete);
  }

  public boolean unlimited() {
    return diskBudget.bytes() == 0;
  }
}
