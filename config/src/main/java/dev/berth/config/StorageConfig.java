package dev.berth.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Where Berth keeps what it holds, and the limits.
 *
 * @param backend {@code filesystem}: everything in the data directory; {@code shared}: content in
 *     an object store and state in PostgreSQL, with a local disk tier of hot blobs
 * @param diskBudget the most that cached blobs may take (on disk, or in the object store when
 *     shared); least recently used blobs are evicted past it (pushed blobs never are); 0 means no
 *     limit
 * @param localTier with {@code shared}: the most that copies of hot blobs may take on local disk
 * @param uploadTtl how long an upload session may go without a write before it is deleted
 * @param allowDelete whether clients may delete manifests and blobs of local repositories
 * @param objectStore with {@code shared}: the bucket for blobs, manifests and uploads
 * @param database with {@code shared}: the database for tags, membership and journals
 */
public record StorageConfig(
    Backend backend,
    ByteSize diskBudget,
    ByteSize localTier,
    Duration uploadTtl,
    boolean allowDelete,
    @Nullable ObjectStoreConfig objectStore,
    @Nullable DatabaseConfig database) {
  public static final Duration DEFAULT_UPLOAD_TTL = Duration.ofHours(24);
  public static final ByteSize DEFAULT_LOCAL_TIER = ByteSize.ofBytes(10L << 30);
  public static final StorageConfig DEFAULTS = new StorageConfig(null, null, false);

  /** Where Berth keeps what it holds. */
  public enum Backend {
    FILESYSTEM,
    SHARED;

    @JsonCreator
    static Backend parse(String text) {
      try {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new InvalidValueException(
            "unknown backend \"" + text + "\" (expected: filesystem or shared)");
      }
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The filesystem backend; values left out (null) take their defaults. */
  public StorageConfig(
      @Nullable ByteSize diskBudget, @Nullable Duration uploadTtl, boolean allowDelete) {
    this(null, diskBudget, null, uploadTtl, allowDelete, null, null);
  }

  /** Values left out (null) take their defaults. */
  public StorageConfig(
      @Nullable Backend backend,
      @Nullable ByteSize diskBudget,
      @Nullable ByteSize localTier,
      @Nullable Duration uploadTtl,
      boolean allowDelete,
      @Nullable ObjectStoreConfig objectStore,
      @Nullable DatabaseConfig database) {
    this.backend = backend == null ? Backend.FILESYSTEM : backend;
    this.diskBudget = diskBudget == null ? ByteSize.ofBytes(0) : diskBudget;
    this.localTier = localTier == null ? DEFAULT_LOCAL_TIER : localTier;
    this.uploadTtl = uploadTtl == null ? DEFAULT_UPLOAD_TTL : uploadTtl;
    this.allowDelete = allowDelete;
    this.objectStore = objectStore;
    this.database = database;
    if (this.uploadTtl.isNegative() || this.uploadTtl.isZero()) {
      throw new InvalidValueException("uploadTtl must be positive: " + this.uploadTtl);
    }
    if (this.backend == Backend.SHARED && (objectStore == null || database == null)) {
      throw new InvalidValueException(
          "backend shared needs objectStore and database (see docs/configuration.md)");
    }
    if (this.backend == Backend.FILESYSTEM && (objectStore != null || database != null)) {
      throw new InvalidValueException(
          "objectStore and database are used with backend shared, not filesystem");
    }
    if (this.backend == Backend.SHARED && this.localTier.bytes() == 0) {
      throw new InvalidValueException(
          "localTier must be above 0 with backend shared: it bounds the local copies");
    }
  }

  @JsonCreator
  static StorageConfig fromJson(
      @JsonProperty("backend") @Nullable Backend backend,
      @JsonProperty("diskBudget") @Nullable ByteSize diskBudget,
      @JsonProperty("localTier") @Nullable ByteSize localTier,
      @JsonProperty("uploadTtl") @Nullable Duration uploadTtl,
      @JsonProperty("allowDelete") @Nullable Boolean allowDelete,
      @JsonProperty("objectStore") @Nullable ObjectStoreConfig objectStore,
      @JsonProperty("database") @Nullable DatabaseConfig database) {
    return new StorageConfig(
        backend,
        diskBudget,
        localTier,
        uploadTtl,
        allowDelete != null && allowDelete,
        objectStore,
        database);
  }

  public boolean unlimited() {
    return diskBudget.bytes() == 0;
  }

  public boolean shared() {
    return backend == Backend.SHARED;
  }
}
