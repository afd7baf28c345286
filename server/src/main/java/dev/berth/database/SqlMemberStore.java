package dev.berth.database;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.berth.oci.Digest;
import dev.berth.storage.MemberStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Optional;

/**
 * Repository membership in PostgreSQL, with the records read or written recently also in memory for
 * at most {@code memoryTtl}. Thread-safe; a blob's record never overwrites a manifest's type, in
 * one statement.
 */
public final class SqlMemberStore implements MemberStore {
  private final Database db;
  private final Cache<Key, String> memory;

  /** A memory key: looked up on every manifest and blob hit, so no string is built for it. */
  private record Key(String registry, String repository, Digest digest) {}

  public SqlMemberStore(Database db, Duration memoryTtl) {
    this.db = db;
    this.memory = Caffeine.newBuilder().maximumSize(200_000).expireAfterWrite(memoryTtl).build();
  }

  @Override
  public Optional<String> get(String registry, String repository, Digest digest)
      throws DatabaseException {
    Optional<String> cached = cached(registry, repository, digest);
    if (cached.isPresent()) {
      return cached;
    }
    Optional<String> found =
        db.run(
            "read the membership of " + digest,
            c -> {
              try (PreparedStatement s =
                  c.prepareStatement(
                      "SELECT media_type FROM members"
                          + " WHERE registry = ? AND repository = ? AND digest = ?")) {
                s.setString(1, registry);
                s.setString(2, repository);
                s.setString(3, digest.toString());
                try (ResultSet r = s.executeQuery()) {
                  return r.next() ? Optional.of(r.getString(1)) : Optional.<String>empty();
                }
              }
            });
    found.ifPresent(type -> memory.put(new Key(registry, repository, digest), type));
    return found;
  }

  @Override
  public Optional<String> cached(String registry, String repository, Digest digest) {
    return Optional.ofNullable(memory.getIfPresent(new Key(registry, repository, digest)));
  }

  @Override
  public void put(String registry, String repository, Digest digest, String type)
      throws DatabaseException {
    Optional<String> held = cached(registry, repository, digest);
    if (held.isPresent() && (held.get().equals(type) || type.equals(BLOB))) {
      return;
    }
    String now =
        db.run(
            "write the membership of " + digest,
            c -> {
              try (PreparedStatement s =
                  c.prepareStatement(
                      "INSERT INTO members AS m (registry, repository, digest, media_type)"
                          + " VALUES (?, ?, ?, ?) ON CONFLICT (registry, repository, digest)"
                          + " DO UPDATE SET media_type = CASE WHEN EXCLUDED.media_type = ''"
                          + " THEN m.media_type ELSE EXCLUDED.media_type END"
                          + " RETURNING media_type")) {
                s.setString(1, registry);
                s.setString(2, repository);
                s.setString(3, digest.toString());
                s.setString(4, type);
                try (ResultSet r = s.executeQuery()) {
                  r.next();
                  return r.getString(1);
                }
              }
            });
    memory.put(new Key(registry, repository, digest), now);
  }

  @Override
  public void remove(String registry, String repository, Digest digest) throws DatabaseException {
    memory.invalidate(new Key(registry, repository, digest));
    db.run(
        "remove the membership of " + digest,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "DELETE FROM members WHERE registry = ? AND repository = ? AND digest = ?")) {
            s.setString(1, registry);
            s.setString(2, repository);
            s.setString(3, digest.toString());
            return s.executeUpdate();
          }
        });
  }
}
