package dev.berth.database;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.berth.oci.Digest;
import dev.berth.storage.TagRecord;
import dev.berth.storage.TagStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Tag records and tag lists in PostgreSQL, with the records read or written recently also in memory
 * for at most {@code memoryTtl}: what is served while the database is away, and no longer than
 * another writer could have changed it. Thread-safe.
 */
public final class SqlTagStore implements TagStore {
  private final Database db;
  private final Cache<Key, TagRecord> memory;

  private record Key(String registry, String repository, String tag) {}

  public SqlTagStore(Database db, Duration memoryTtl) {
    this.db = db;
    this.memory = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(memoryTtl).build();
  }

  @Override
  public Optional<TagRecord> get(String registry, String repository, String tag)
      throws DatabaseException {
    Optional<TagRecord> cached = cached(registry, repository, tag);
    if (cached.isPresent()) {
      return cached;
    }
    Optional<TagRecord> found =
        db.run(
            "read tag " + tag,
            c -> {
              try (PreparedStatement s =
                  c.prepareStatement(
                      "SELECT digest, media_type, checked_at FROM tags"
                          + " WHERE registry = ? AND repository = ? AND tag = ?")) {
                s.setString(1, registry);
                s.setString(2, repository);
                s.setString(3, tag);
                try (ResultSet r = s.executeQuery()) {
                  return r.next()
                      ? Optional.of(
                          new TagRecord(
                              Digest.of(r.getString(1)),
                              r.getString(2),
                              r.getTimestamp(3).toInstant()))
                      : Optional.<TagRecord>empty();
                }
              }
            });
    found.ifPresent(record -> memory.put(new Key(registry, repository, tag), record));
    return found;
  }

  @Override
  public Optional<TagRecord> cached(String registry, String repository, String tag) {
    return Optional.ofNullable(memory.getIfPresent(new Key(registry, repository, tag)));
  }

  @Override
  public void put(String registry, String repository, String tag, TagRecord record)
      throws DatabaseException {
    db.run(
        "write tag " + tag,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO tags (registry, repository, tag, digest, media_type, checked_at)"
                      + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (registry, repository, tag)"
                      + " DO UPDATE SET digest = EXCLUDED.digest,"
                      + " media_type = EXCLUDED.media_type, checked_at = EXCLUDED.checked_at")) {
            s.setString(1, registry);
            s.setString(2, repository);
            s.setString(3, tag);
            s.setString(4, record.digest().toString());
            s.setString(5, record.mediaType());
            s.setTimestamp(6, Timestamp.from(record.checkedAt()));
            return s.executeUpdate();
          }
        });
    memory.put(new Key(registry, repository, tag), record);
  }

  @Override
  public boolean delete(String registry, String repository, String tag) throws DatabaseException {
    memory.invalidate(new Key(registry, repository, tag));
    return db.run(
            "delete tag " + tag,
            c -> {
              try (PreparedStatement s =
                  c.prepareStatement(
                      "DELETE FROM tags WHERE registry = ? AND repository = ? AND tag = ?")) {
                s.setString(1, registry);
                s.setString(2, repository);
                s.setString(3, tag);
                return s.executeUpdate();
              }
            })
        > 0;
  }

  @Override
  public List<String> tags(String registry, String repository) throws DatabaseException {
    return db.run(
        "list the tags of " + repository,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT tag FROM tags WHERE registry = ? AND repository = ?"
                      + " ORDER BY tag COLLATE \"C\"")) {
            s.setString(1, registry);
            s.setString(2, repository);
            List<String> tags = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
              while (r.next()) {
                tags.add(r.getString(1));
              }
            }
            return tags;
          }
        });
  }

  @Override
  public Optional<TagList> getList(String registry, String repository, String key)
      throws DatabaseException {
    return db.run(
        "read the tag list of " + repository,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT body, link FROM tag_lists"
                      + " WHERE registry = ? AND repository = ? AND query = ?")) {
            s.setString(1, registry);
            s.setString(2, repository);
            s.setString(3, key);
            try (ResultSet r = s.executeQuery()) {
              return r.next()
                  ? Optional.of(new TagList(r.getBytes(1), r.getString(2)))
                  : Optional.<TagList>empty();
            }
          }
        });
  }

  @Override
  public void putList(String registry, String repository, String key, TagList list)
      throws DatabaseException {
    db.run(
        "write the tag list of " + repository,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO tag_lists (registry, repository, query, body, link)"
                      + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (registry, repository, query)"
                      + " DO UPDATE SET body = EXCLUDED.body, link = EXCLUDED.link")) {
            s.setString(1, registry);
            s.setString(2, repository);
            s.setString(3, key);
            s.setBytes(4, list.body());
            s.setString(5, list.link());
            return s.executeUpdate();
          }
        });
  }
}
