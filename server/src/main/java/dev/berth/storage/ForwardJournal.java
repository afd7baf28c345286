package dev.berth.storage;

import java.io.IOException;
import java.util.Map;

/**
 * The durable record of async forwards: each is written before its push is acknowledged and read
 * back at start. Thread-safe.
 */
public interface ForwardJournal {
  /** Writes the record of {@code id}, replacing any earlier one; durable once this returns. */
  void write(String id, byte[] record) throws IOException;

  /** Removes the record of {@code id}, if there is one. */
  void delete(String id) throws IOException;

  /** Every record, by id. Records that cannot be read are logged and skipped. */
  Map<String, byte[]> readAll() throws IOException;
}
