package dev.berth.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Writes small files so that readers see the old content or the new, never a part. */
final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes {@code bytes} to a temp file, forces it to disk and renames it to {@code target}. */
  static void write(StoragePaths paths, Path target, byte[] bytes) throws IOException {
    Path temp = paths.newTemp(target.getFileName().toString());
    try (FileChannel ch =
        FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    move(temp, target);
  }

  /**
   * Renames {@code source} to {@code target} atomically, creating parent directories, and forces
   * the directory entry to disk: once this returns, the new name survives a crash of the host.
   */
  static void move(Path source, Path target) throws IOException {
    Files.createDirectories(target.getParent());
    try {
      Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
    }
    try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Some file systems cannot open a directory for syncing; the rename itself is done.
    }
  }
}
