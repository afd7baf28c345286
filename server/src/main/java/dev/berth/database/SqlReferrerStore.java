package dev.berth.database;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.oci.Digest;
import dev.berth.storage.ReferrerStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** The referrers of each subject per repository, in PostgreSQL. Thread-safe. */
public final class SqlReferrerStore implements ReferrerStore {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Database db;

  public SqlReferrerStore(Database db) {
    this.db = db;
  }

  @Override
  public void put(String registry, String repository, Digest subject, ObjectNode descriptor)
      throws IOException {
    Digest referrer = Digest.of(descriptor.path("digest").asText());
    db.update(
        "write a referrer of " + subject,
        "INSERT INTO referrers (registry, repository, subject, referrer, descriptor)"
            + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (registry, repository, subject, referrer)"
            + " DO UPDATE SET descriptor = EXCLUDED.descriptor",
        registry,
        repository,
        subject.toString(),
        referrer.toString(),
        JSON.writeValueAsString(descriptor));
  }

  @Override
  public void remove(String registry, String repository, Digest subject, Digest referrer)
      throws IOException {
    db.update(
        "remove a referrer of " + subject,
        "DELETE FROM referrers"
            + " WHERE registry = ? AND repository = ? AND subject = ? AND referrer = ?",
        registry,
        repository,
        subject.toString(),
        referrer.toString());
  }

  /** The descriptors of the referrers of {@code subject}, sorted by digest. */
  @Override
  public List<JsonNode> list(String registry, String repository, Digest subject)
      throws IOException {
    List<String> rows =
        db.query(
            "read the referrers of " + subject,
            "SELECT descriptor FROM referrers WHERE registry = ? AND repository = ? AND subject = ?"
                + " ORDER BY referrer",
            r -> r.getString(1),
            registry,
            repository,
            subject.toString());
    try {
      return rows.stream()
          .map(
              text -> {
                try {
                  return JSON.readTree(text);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              })
          .toList();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
