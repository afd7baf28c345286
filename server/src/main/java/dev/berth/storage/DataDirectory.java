package dev.berth.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Prepares the data directory at start: its layout version, and no leftovers of a crash. */
public final class DataDirectory {
  /** The version of the layout in {@code package-info.java}. */
  public static final String FORMAT_VERSION = "2";

  /** The version before membership records, which this version derives at its first start. */
  private static final String WITHOUT_MEMBERS = "1";

  private static final Logger log = LoggerFactory.getLogger(DataDirectory.class);

  private DataDirectory() {}

  /**
   * Creates the directory, writes or checks its format version (deriving membership records for a
   * directory of version 1), and removes temporary files left by a run that crashed.
   *
   * @throws IllegalStateException when the directory holds another layout version
   */
  public static StoragePaths prepare(Path root) throws IOException {
    StoragePaths paths = new StoragePaths(root);
    Files.createDirectories(paths.tmp());
    Path version = paths.formatVersion();
    if (Files.exists(version)) {
      String found = Files.readString(version, StandardCharsets.UTF_8).trim();
      if (found.equals(WITHOUT_MEMBERS)) {
        int derived = new MemberDerivation(paths).run();
        log.info(
            "derived {} membership records from the tags, referrers and forwards of format"
                + " version {}",
            derived,
            found);
        AtomicFiles.write(paths, version, (FORMAT_VERSION + "\n").getBytes(StandardCharsets.UTF_8));
      } else if (!found.equals(FORMAT_VERSION)) {
        throw new IllegalStateException(
            paths.root()
                + " holds data of format version "
                + found
                + "; this Berth reads version "
                + FORMAT_VERSION);
      }
    } else {
      AtomicFiles.write(paths, version, (FORMAT_VERSION + "\n").getBytes(StandardCharsets.UTF_8));
    }
    int removed = 0;
    try (Stream<Path> leftovers = Files.list(paths.tmp())) {
      for (Path p : (Iterable<Path>) leftovers::iterator) {
        Files.deleteIfExists(p);
        removed++;
      }
    }
    if (removed > 0) {
      log.info("removed {} temporary files left by an earlier run", removed);
    }
    return paths;
  }
}
