package dev.berth.database;

import dev.berth.objectstore.BlobLedger;
import dev.berth.oci.Digest;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** The account of the object store's blobs in PostgreSQL's {@code blobs} table. Thread-safe. */
public final class SqlBlobLedger implements BlobLedger {
  /**
   * The least recently used blobs that are not pinned, in order, while the bytes before each still
   * leave the table over the budget; deleted in the same statement. A row another caller is
   * deleting is waited for and then skipped, so no blob is taken twice.
   */
  private static final String EVICT =
      """
      WITH over AS (SELECT coalesce(sum(size), 0) - ? AS bytes FROM blobs),
      ranked AS (
        SELECT digest, sum(size) OVER (ORDER BY used_at, digest) - size AS before
        FROM blobs WHERE NOT pinned)
      DELETE FROM blobs b USING ranked r, over o
      WHERE b.digest = r.digest AND r.before < o.bytes
      RETURNING b.digest, b.size""";

  private final Database db;

  public SqlBlobLedger(Database db) {
    this.db = db;
  }

  private static Entry entry(java.sql.ResultSet r) throws java.sql.SQLException {
    return new Entry(Digest.of(r.getString(1)), r.getLong(2), r.getBoolean(3));
  }

  @Override
  public List<Entry> all() throws DatabaseException {
    return db.query(
        "read the blobs",
        "SELECT digest, size, pinned FROM blobs ORDER BY used_at, digest",
        SqlBlobLedger::entry);
  }

  @Override
  public Optional<Entry> get(Digest digest) throws DatabaseException {
    return db
        .query(
            "read blob " + digest,
            "SELECT digest, size, pinned FROM blobs WHERE digest = ?",
            SqlBlobLedger::entry,
            digest.toString())
        .stream()
        .findFirst();
  }

  @Override
  public void add(Digest digest, long size, boolean pinned) throws DatabaseException {
    db.update(
        "record blob " + digest,
        "INSERT INTO blobs (digest, size, pinned) VALUES (?, ?, ?) ON CONFLICT (digest) DO UPDATE"
            + " SET size = excluded.size, pinned = blobs.pinned OR excluded.pinned, used_at = now()",
        digest.toString(),
        size,
        pinned);
  }

  @Override
  public boolean pin(Digest digest) throws DatabaseException {
    return db.update(
            "pin blob " + digest,
            "UPDATE blobs SET pinned = true WHERE digest = ?",
            digest.toString())
        > 0;
  }

  @Override
  public void used(Collection<Digest> digests) throws DatabaseException {
    if (digests.isEmpty()) {
      return;
    }
    String[] names = digests.stream().map(Digest::toString).toArray(String[]::new);
    db.run(
        "record the use of " + names.length + " blobs",
        c -> {
          Array array = c.createArrayOf("text", names);
          try (PreparedStatement s =
              c.prepareStatement("UPDATE blobs SET used_at = now() WHERE digest = ANY (?)")) {
            s.setArray(1, array);
            return s.executeUpdate();
          } finally {
            array.free();
          }
        });
  }

  @Override
  public void remove(Digest digest) throws DatabaseException {
    db.update("forget blob " + digest, "DELETE FROM blobs WHERE digest = ?", digest.toString());
  }

  @Override
  public long total() throws DatabaseException {
    return db.query("sum the blobs", "SELECT coalesce(sum(size), 0) FROM blobs", r -> r.getLong(1))
        .get(0);
  }

  @Override
  public List<Entry> evictBeyond(long budget) throws DatabaseException {
    return db.query(
        "evict blobs beyond the budget",
        EVICT,
        r -> new Entry(Digest.of(r.getString(1)), r.getLong(2), false),
        budget);
  }
}
