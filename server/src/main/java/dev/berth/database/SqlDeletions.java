package dev.berth.database;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.berth.errors.OciError;
import dev.berth.oci.Digest;
import dev.berth.storage.Deletions;
import java.time.Duration;

/**
 * Content deleted from one local repository, in PostgreSQL; recent answers are kept in memory for
 * at most {@code memoryTtl}. When nothing is ever deleted ({@code storage.allowDelete: false}) the
 * database is never asked. Thread-safe.
 */
public final class SqlDeletions implements Deletions {
  private final Database db;
  private final boolean enabled;
  private final Cache<Key, Boolean> memory;

  private record Key(String registry, String repository, Digest digest) {}

  public SqlDeletions(Database db, boolean enabled, Duration memoryTtl) {
    this.db = db;
    this.enabled = enabled;
    this.memory = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(memoryTtl).build();
  }

  @Override
  public boolean enabled() {
    return enabled;
  }

  @Override
  public void mark(String registry, String repository, Digest digest) throws DatabaseException {
    db.update(
        "delete " + digest + " from " + repository,
        "INSERT INTO deletions (registry, repository, digest) VALUES (?, ?, ?)"
            + " ON CONFLICT DO NOTHING",
        registry,
        repository,
        digest.toString());
    memory.put(new Key(registry, repository, digest), true);
  }

  /**
   * Whether {@code digest} was deleted from {@code repository}; when the database cannot say, the
   * request fails as unavailable rather than serve what may have been deleted.
   */
  @Override
  public boolean isDeleted(String registry, String repository, Digest digest) {
    if (!enabled) {
      return false;
    }
    Key key = new Key(registry, repository, digest);
    Boolean known = memory.getIfPresent(key);
    if (known != null) {
      return known;
    }
    try {
      boolean deleted =
          !db.query(
                  "read the deletions of " + repository,
                  "SELECT 1 FROM deletions WHERE registry = ? AND repository = ? AND digest = ?",
                  r -> true,
                  registry,
                  repository,
                  digest.toString())
              .isEmpty();
      memory.put(key, deleted);
      return deleted;
    } catch (DatabaseException e) {
      throw OciError.UNAVAILABLE.with(e.getMessage());
    }
  }

  @Override
  public void clear(String registry, String repository, Digest digest) throws DatabaseException {
    if (!enabled) {
      return;
    }
    db.update(
        "restore " + digest + " to " + repository,
        "DELETE FROM deletions WHERE registry = ? AND repository = ? AND digest = ?",
        registry,
        repository,
        digest.toString());
    memory.put(new Key(registry, repository, digest), false);
  }
}
