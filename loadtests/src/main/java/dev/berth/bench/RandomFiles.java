package dev.berth.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.SplittableRandom;

/** Files of seeded random bytes, which no layer of the stack can compress or deduplicate. */
final class RandomFiles {
  private static final int CHUNK = 4 << 20;

  private RandomFiles() {}

  /** Writes {@code size} random bytes from {@code seed} to {@code dir/<hex of their digest>}. */
  static Blob write(Path dir, long size, long seed) {
    Path file = dir.resolve("new-" + seed);
    SplittableRandom random = new SplittableRandom(seed);
    ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel out =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      MessageDigest sha = Digests.sha256();
      for (long left = size; left > 0; ) {
        buf.clear();
        while (buf.remaining() >= Long.BYTES) {
          buf.putLong(random.nextLong());
        }
        buf.flip().limit((int) Math.min(left, CHUNK - CHUNK % Long.BYTES));
        left -= buf.remaining();
        sha.update(buf.duplicate());
        while (buf.hasRemaining()) {
          out.write(buf);
        }
      }
      return named(file, Digests.finish(sha, new byte[0]), size);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Blob named(Path file, String digest, long size) throws IOException {
    Blob blob = new Blob(digest, size, file.resolveSibling(digest.substring("sha256:".length())));
    Files.move(file, blob.file(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return blob;
  }

  /** Writes {@code bytes} to {@code dir/<hex of their digest>}. */
  static Blob write(Path dir, byte[] bytes) {
    try {
      String digest = Digests.of(bytes);
      Path file = Files.write(dir.resolve(digest.substring("sha256:".length())), bytes);
      return new Blob(digest, bytes.length, file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
