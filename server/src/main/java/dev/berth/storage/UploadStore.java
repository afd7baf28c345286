package dev.berth.storage;

import dev.berth.oci.Digest;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

/**
 * The bytes of blob upload sessions by id: appended to by one request at a time, kept across
 * restarts, and moved into the {@link BlobStore} once the caller has verified them. Thread-safe.
 */
public interface UploadStore {
  /** Creates session {@code id} with no bytes. */
  void create(String id) throws IOException;

  /** How many bytes session {@code id} holds; empty when there is no such session. */
  OptionalLong size(String id) throws IOException;

  /** Opens session {@code id} for appending at its end; closing it makes the bytes durable. */
  Appender append(String id) throws IOException;

  /**
   * Opens the bytes of session {@code id} for reading; the caller closes it. {@link
   * java.nio.file.NoSuchFileException} when there is no such session (any more).
   */
  SeekableByteChannel read(String id) throws IOException;

  /**
   * Moves the bytes of session {@code id}, which the caller verified to be {@code digest} and
   * {@code size} bytes long, into the blob store, pinned; the session ends.
   */
  StoredBlob commit(String id, Digest digest, long size) throws IOException;

  /** Ends session {@code id} and deletes its bytes; nothing happens when there is none. */
  void delete(String id) throws IOException;

  /** The sessions not written to since {@code cutoff}. */
  List<String> idleSince(Instant cutoff) throws IOException;

  /** Appends to one session; {@link #close()} makes the bytes durable and marks the write. */
  interface Appender extends Closeable {
    /** Appends every remaining byte of {@code bufs}, in order. */
    void write(ByteBuffer... bufs) throws IOException;

    /** Drops every byte beyond {@code size}: after a failed write, the session is as it was. */
    void truncate(long size) throws IOException;
  }

  /** Whether {@code id} has the form of a session id (a UUID, as {@code Uploads} makes them). */
  static boolean isSessionId(String id) {
    try {
      return java.util.UUID.fromString(id).toString().equals(id);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
