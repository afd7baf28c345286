package dev.berth.shared;

import dev.berth.database.Database;
import dev.berth.database.DatabaseException;
import dev.berth.objectstore.Bucket;
import dev.berth.objectstore.ObjectBlobStore;
import dev.berth.oci.Digest;
import dev.berth.storage.FileBlobWriter;
import dev.berth.storage.StoragePaths;
import dev.berth.storage.StoredBlob;
import dev.berth.storage.UploadStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Upload sessions whose bytes are in the object store: each chunk, once received, becomes an object
 * named for the session and the offset it starts at, and the session's row in the database then
 * counts it. A chunk is acknowledged only after both, so a session survives the loss of this
 * process and of its data directory. While a session is written here, its bytes are also in a local
 * file that readers follow and that the commit moves into the local tier; a session this process
 * does not hold locally (after a restart on an empty disk) is rebuilt from its chunks. Appends to
 * one session are serial (the caller's rule). Thread-safe otherwise.
 */
final class SharedUploadStore implements UploadStore {
  private final Bucket bucket;
  private final Database db;
  private final StoragePaths paths;
  private final ObjectBlobStore blobs;

  /** Sessions with an append in progress here: their local files hold more than is counted. */
  private final Set<String> appending = ConcurrentHashMap.newKeySet();

  /** Per session: a reader's repair of the local file and an append's start are one at a time. */
  private final Map<String, Object> locks = new ConcurrentHashMap<>();

  SharedUploadStore(Bucket bucket, Database db, StoragePaths paths, ObjectBlobStore blobs)
      throws IOException {
    this.bucket = bucket;
    this.db = db;
    this.paths = paths;
    this.blobs = blobs;
    Files.createDirectories(paths.uploads());
  }

  /** The object holding the chunk of session {@code id} that starts at byte {@code start}. */
  static String chunkName(String id, long start) {
    return chunks(id) + String.format(Locale.ROOT, "%020d", start);
  }

  static String chunks(String id) {
    return "uploads/" + id + "/";
  }

  @Override
  public void create(String id) throws IOException {
    db.update(
        "start upload " + id,
        "INSERT INTO uploads (id, size, written_at) VALUES (?, 0, ?)",
        id,
        Instant.now());
    Files.deleteIfExists(paths.upload(id));
    Files.createFile(paths.upload(id));
  }

  @Override
  public OptionalLong size(String id) throws IOException {
    if (!UploadStore.isSessionId(id)) {
      return OptionalLong.empty();
    }
    List<Long> sizes =
        db.query(
            "read upload " + id, "SELECT size FROM uploads WHERE id = ?", r -> r.getLong(1), id);
    return sizes.isEmpty() ? OptionalLong.empty() : OptionalLong.of(sizes.get(0));
  }

  @Override
  public Appender append(String id) throws IOException {
    Path file = paths.upload(id);
    long start;
    FileChannel out;
    synchronized (lock(id)) {
      start = local(id);
      out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      appending.add(id);
    }
    return new Appender() {
      @Override
      public void write(ByteBuffer... bufs) throws IOException {
        FileBlobWriter.writeFully(out, bufs);
      }

      @Override
      public void truncate(long size) throws IOException {
        out.truncate(size);
      }

      @Override
      public void close() throws IOException {
        try {
          count(id, file, start, out);
        } finally {
          appending.remove(id);
        }
      }
    };
  }

  /** Stores the chunk {@code out} wrote past {@code start} and counts it in the session's row. */
  private void count(String id, Path file, long start, FileChannel out) throws IOException {
    long end;
    try (out) {
      end = out.size();
    }
    if (end > start) {
      bucket.write(
          chunkName(id, start),
          () -> FileChannel.open(file, StandardOpenOption.READ),
          start,
          end - start);
    }
    int counted =
        db.update(
            "count a chunk of upload " + id,
            "UPDATE uploads SET size = ?, written_at = ? WHERE id = ? AND size = ?",
            end,
            Instant.now(),
            id,
            start);
    if (counted != 1) {
      throw new IOException("upload " + id + " changed or ended while a chunk was written");
    }
  }

  /**
   * The session's bytes; while an append is in progress here, the local file with what it has
   * written so far, for a reader that follows the upload as it streams in.
   */
  @Override
  public SeekableByteChannel read(String id) throws IOException {
    synchronized (lock(id)) {
      if (!appending.contains(id)) {
        local(id);
      }
      return FileChannel.open(paths.upload(id), StandardOpenOption.READ);
    }
  }

  private Object lock(String id) {
    return locks.computeIfAbsent(id, k -> new Object());
  }

  @Override
  public StoredBlob commit(String id, Digest digest, long size) throws IOException {
    local(id);
    StoredBlob blob = blobs.adopt(paths.upload(id), digest, size, true);
    delete(id);
    return blob;
  }

  @Override
  public void delete(String id) throws IOException {
    if (!UploadStore.isSessionId(id)) {
      return;
    }
    locks.remove(id);
    Files.deleteIfExists(paths.upload(id));
    for (Bucket.Listed chunk : bucket.list(chunks(id))) {
      bucket.delete(chunk.name());
    }
    db.update("end upload " + id, "DELETE FROM uploads WHERE id = ?", id);
  }

  @Override
  public List<String> idleSince(Instant cutoff) throws DatabaseException {
    return db.query(
        "read idle uploads",
        "SELECT id FROM uploads WHERE written_at < ? ORDER BY id",
        r -> r.getString(1),
        cutoff);
  }

  /**
   * Makes the local file of session {@code id} hold exactly the bytes the session counts: cuts a
   * chunk that was not counted, or rebuilds the file from the chunks in the object store. Returns
   * the session's size.
   */
  private long local(String id) throws IOException {
    long size = size(id).orElseThrow(() -> new java.nio.file.NoSuchFileException("upload " + id));
    Path file = paths.upload(id);
    long held = Files.exists(file) ? Files.size(file) : -1;
    if (held > size) {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.truncate(size);
      }
    } else if (held < size) {
      rebuild(id, size, file);
    }
    return size;
  }

  private void rebuild(String id, long size, Path file) throws IOException {
    Path temp = paths.newTemp(id);
    try (OutputStream out = Files.newOutputStream(temp)) {
      long at = 0;
      while (at < size) {
        try (InputStream in = bucket.read(chunkName(id, at), 0)) {
          long n = in.transferTo(out);
          if (n == 0) {
            throw new IOException("upload " + id + ": an empty chunk at byte " + at);
          }
          at += n;
        }
      }
      if (at != size) {
        throw new IOException("upload " + id + ": its chunks hold " + at + " bytes, not " + size);
      }
    } catch (IOException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }
}
