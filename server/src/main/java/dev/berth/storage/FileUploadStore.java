package dev.berth.storage;

import dev.berth.oci.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * Upload sessions as files under {@code uploads/}, named by their id (a UUID); a session's file
 * time is its last write. A verified session's file is renamed into the blob store.
 */
public final class FileUploadStore implements UploadStore {
  private final StoragePaths paths;
  private final FileBlobStore blobs;

  public FileUploadStore(StoragePaths paths, FileBlobStore blobs) throws IOException {
    this.paths = paths;
    this.blobs = blobs;
    Files.createDirectories(paths.uploads());
  }

  @Override
  public void create(String id) throws IOException {
    Files.createFile(file(id));
  }

  @Override
  public OptionalLong size(String id) throws IOException {
    if (!UploadStore.isSessionId(id) || !Files.isRegularFile(paths.upload(id))) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Files.size(paths.upload(id)));
  }

  @Override
  public Appender append(String id) throws IOException {
    Path file = file(id);
    FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
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
        try (out) {
          out.force(false);
        }
        Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
      }
    };
  }

  @Override
  public SeekableByteChannel read(String id) throws IOException {
    return FileChannel.open(file(id), StandardOpenOption.READ);
  }

  @Override
  public StoredBlob commit(String id, Digest digest, long size) throws IOException {
    return blobs.adopt(file(id), digest, size, true);
  }

  @Override
  public void delete(String id) throws IOException {
    if (UploadStore.isSessionId(id)) {
      Files.deleteIfExists(paths.upload(id));
    }
  }

  @Override
  public List<String> idleSince(Instant cutoff) throws IOException {
    List<String> idle = new ArrayList<>();
    try (Stream<Path> files = Files.list(paths.uploads())) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.getLastModifiedTime(f).toInstant().isBefore(cutoff)) {
          idle.add(f.getFileName().toString());
        }
      }
    }
    return idle;
  }

  /** The file of session {@code id}; a name that is not a session id has none. */
  private Path file(String id) throws NoSuchFileException {
    if (!UploadStore.isSessionId(id)) {
      throw new NoSuchFileException("upload " + id);
    }
    return paths.upload(id);
  }
}
