package dev.berth.database;

import dev.berth.storage.ForwardJournal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The forwarding journal in PostgreSQL: one row per forward, durable once its write returns (a
 * committed statement). Thread-safe.
 */
public final class SqlForwardJournal implements ForwardJournal {
  private final Database db;

  public SqlForwardJournal(Database db) {
    this.db = db;
  }

  @Override
  public void write(String id, byte[] record) throws DatabaseException {
    db.update(
        "write forward " + id,
        "INSERT INTO forwards (id, record) VALUES (?, ?)"
            + " ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record, written_at = now()",
        id,
        record);
  }

  @Override
  public void delete(String id) throws DatabaseException {
    db.update("delete forward " + id, "DELETE FROM forwards WHERE id = ?", id);
  }

  @Override
  public Map<String, byte[]> readAll() throws DatabaseException {
    Map<String, byte[]> records = new LinkedHashMap<>();
    db.query(
        "read the forwarding journal",
        "SELECT id, record FROM forwards ORDER BY id",
        r -> records.put(r.getString(1), r.getBytes(2)));
    return records;
  }
}
