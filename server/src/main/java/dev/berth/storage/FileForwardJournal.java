package dev.berth.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forwarding journal on disk: one small record per forward, each written whole and forced to
 * disk before the write returns, so a record read after any crash is one that was written. What a
 * record holds is its writer's business. Thread-safe for distinct ids.
 */
public final class FileForwardJournal implements ForwardJournal {
  private static final Logger log = LoggerFactory.getLogger(FileForwardJournal.class);

  private final StoragePaths paths;

  public FileForwardJournal(StoragePaths paths) throws IOException {
    this.paths = paths;
    Files.createDirectories(paths.forwarding());
  }

  /** Writes the record of {@code id}, replacing any earlier one; durable once this returns. */
  @Override
  public void write(String id, byte[] record) throws IOException {
    AtomicFiles.write(paths, paths.forward(id), record);
  }

  /** Removes the record of {@code id}, if there is one. */
  @Override
  public void delete(String id) throws IOException {
    Files.deleteIfExists(paths.forward(id));
  }

  /** Every record, by id. Records that cannot be read are logged and skipped. */
  @Override
  public Map<String, byte[]> readAll() throws IOException {
    Map<String, byte[]> records = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(paths.forwarding())) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString();
        if (!name.endsWith(".json")) {
          continue;
        }
        try {
          records.put(name.substring(0, name.length() - 5), Files.readAllBytes(f));
        } catch (NoSuchFileException e) {
          // Deleted since it was listed.
        } catch (IOException e) {
          log.warn("cannot read forwarding record {}: {}", f, e.toString());
        }
      }
    }
    return records;
  }
}
