package dev.berth.shared;

import dev.berth.config.CacheConfig;
import dev.berth.config.DatabaseConfig;
import dev.berth.config.ObjectStoreConfig;
import dev.berth.config.StorageConfig;
import dev.berth.database.Database;
import dev.berth.database.DatabaseSettings;
import dev.berth.database.SqlBlobLedger;
import dev.berth.database.SqlDeletions;
import dev.berth.database.SqlForwardJournal;
import dev.berth.database.SqlMemberStore;
import dev.berth.database.SqlReferrerStore;
import dev.berth.database.SqlTagStore;
import dev.berth.objectstore.Bucket;
import dev.berth.objectstore.BucketSettings;
import dev.berth.objectstore.ObjectBlobStore;
import dev.berth.storage.FileBlobStore;
import dev.berth.storage.FileManifestStore;
import dev.berth.storage.StoragePaths;
import dev.berth.storage.Stores;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the shared backends that {@code storage} names and puts the stores together on them, with
 * the data directory as the local tier: blobs and manifests there are copies, bounded by {@code
 * storage.localTier}. Tag records, membership and deletions answered recently stay in memory for at
 * most the tag TTL, which is what Berth serves while the database is away.
 */
public final class SharedBackend {
  private static final Logger log = LoggerFactory.getLogger(SharedBackend.class);

  /** A multipart upload this old belongs to a write that died. */
  static final Duration ABANDONED_AFTER = Duration.ofHours(24);

  /** Chunks of an upload session without a row, older than this, belong to no session. */
  static final Duration ORPHAN_AFTER = Duration.ofHours(1);

  private SharedBackend() {}

  /**
   * Connects to the object store and the database, migrates the schema, reads what the bucket
   * holds, and schedules the health checks and the sweeper on {@code background}; fails naming the
   * backend that cannot be reached.
   */
  public static Stores open(
      StorageConfig storage,
      CacheConfig cache,
      StoragePaths paths,
      ScheduledExecutorService background)
      throws IOException {
    ObjectStoreConfig objects = Objects.requireNonNull(storage.objectStore(), "objectStore");
    DatabaseConfig database = Objects.requireNonNull(storage.database(), "database");
    Database db = Database.open(databaseSettings(database));
    Bucket bucket = Bucket.open(bucketSettings(objects));
    try {
      FileBlobStore localBlobs = new FileBlobStore(paths, storage.localTier().bytes());
      ObjectBlobStore blobs =
          new ObjectBlobStore(
              bucket, new SqlBlobLedger(db), localBlobs, storage.diskBudget().bytes(), background);
      Duration memory = cache.tagTtl();
      // The database first: without it nothing can be looked up, without the bucket only misses.
      Map<String, BackendHealth.Check> checks = new LinkedHashMap<>();
      checks.put("database", db::check);
      checks.put("object store", bucket::check);
      BackendHealth health = new BackendHealth(checks);
      var checking = background.scheduleWithFixedDelay(health::checkAll, 0, 5, TimeUnit.SECONDS);
      var sweeps =
          background.scheduleWithFixedDelay(
              () -> sweep(bucket, db, blobs), 1, 60, TimeUnit.MINUTES);
      return new Stores(
          blobs,
          new SharedUploadStore(bucket, db, paths, blobs),
          new SharedManifestStore(bucket, db, new FileManifestStore(paths)),
          new SqlTagStore(db, memory),
          new SqlMemberStore(db, memory),
          new SqlReferrerStore(db),
          new SqlDeletions(db, storage.allowDelete(), memory),
          new SqlForwardJournal(db),
          health::problems,
          () -> {
            checking.cancel(false);
            sweeps.cancel(false);
            bucket.close();
            db.close();
          });
    } catch (IOException | RuntimeException e) {
      bucket.close();
      db.close();
      throw e;
    }
  }

  static DatabaseSettings databaseSettings(DatabaseConfig config) throws IOException {
    String password = "";
    if (config.password() != null) {
      try {
        password = config.password().reveal();
      } catch (IOException e) {
        throw new IOException("storage.database.password: " + e.getMessage(), e);
      }
    }
    return new DatabaseSettings(config.url(), config.user(), password, config.poolSize());
  }

  static BucketSettings bucketSettings(ObjectStoreConfig config) {
    ObjectStoreConfig.Credentials keys = config.credentials();
    BucketSettings.Credentials credentials =
        switch (keys.source()) {
          case INLINE ->
              new BucketSettings.Credentials.Keys(
                  Objects.requireNonNull(keys.accessKeyId()),
                  Objects.requireNonNull(keys.secretAccessKey()));
          case ENVIRONMENT -> new BucketSettings.Credentials.Environment();
          case DEFAULT -> new BucketSettings.Credentials.DefaultChain();
        };
    return new BucketSettings(
        config.endpoint(),
        config.region(),
        config.bucket(),
        config.prefix(),
        config.pathStyle(),
        credentials);
  }

  /**
   * Aborts multipart uploads of writes that died, deletes chunks of upload sessions that no longer
   * exist (ended or expired while their chunks could not be deleted), and accounts blobs whose
   * writer died between their upload and their account.
   */
  static void sweep(Bucket bucket, Database db, ObjectBlobStore blobs) {
    try {
      int aborted = bucket.abortUploadsBefore(Instant.now().minus(ABANDONED_AFTER));
      Instant cutoff = Instant.now().minus(ORPHAN_AFTER);
      int strays = blobs.accountStrays(cutoff);
      Set<String> sessions =
          new HashSet<>(
              db.query("read upload sessions", "SELECT id FROM uploads", r -> r.getString(1)));
      int orphans = 0;
      for (Bucket.Listed chunk : bucket.list("uploads/")) {
        String id = chunk.name().substring("uploads/".length()).split("/", 2)[0];
        if (!sessions.contains(id) && chunk.written().isBefore(cutoff)) {
          bucket.delete(chunk.name());
          orphans++;
        }
      }
      if (aborted + orphans + strays > 0) {
        log.info(
            "swept the object store: {} abandoned multipart uploads, {} orphan chunks, {} blobs"
                + " accounted",
            aborted,
            orphans,
            strays);
      }
    } catch (IOException | RuntimeException e) {
      log.warn("cannot sweep the object store: {}", e.getMessage());
    }
  }
}
