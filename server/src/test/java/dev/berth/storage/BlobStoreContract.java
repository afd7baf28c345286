package dev.berth.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import org.junit.jupiter.api.Test;

/**
 * What every {@link BlobStore} promises the routes: nothing is under a digest before its commit,
 * readers follow a write, stored blobs read from any position, and the budget evicts the least
 * recently used blob but never a pinned one. A backend's test extends this class.
 */
public abstract class BlobStoreContract {
  /** A new, empty store of {@code budget} bytes (0: no limit). */
  protected abstract BlobStore newStore(long budget) throws IOException;

  /** The same store as {@code store} sees it after a restart. */
  protected abstract BlobStore reopen(BlobStore store, long budget) throws IOException;

  protected static Digest digestOf(String text) {
    return Digest.sha256(text.getBytes(UTF_8));
  }

  protected static ByteBuffer bytes(String text) {
    return ByteBuffer.wrap(text.getBytes(UTF_8));
  }

  protected static String readAll(SeekableByteChannel channel) throws IOException {
    try (InputStream in = Channels.newInputStream(channel)) {
      return new String(in.readAllBytes(), UTF_8);
    }
  }

  protected static StoredBlob put(BlobStore store, String text, boolean pinned) throws IOException {
    BlobWriter w = store.writer(digestOf(text));
    w.write(bytes(text));
    return w.commit(pinned);
  }

  @Test
  void nothingIsUnderTheDigestUntilTheCommitAndReadersFollowTheWrite() throws IOException {
    BlobStore store = newStore(0);
    Digest digest = digestOf("hello, world");
    BlobWriter w = store.writer(digest);
    w.write(bytes("hello, "));
    try (SeekableByteChannel following = w.reader()) {
      w.write(bytes("wor"), bytes("ld"));
      assertThat(w.written()).isEqualTo(12);
      assertThat(store.contains(digest)).isFalse();
      assertThat(store.find(digest)).isEmpty();
      assertThat(readAll(following)).isEqualTo("hello, world");
    }

    StoredBlob stored = w.commit(false);

    // A reader that comes after the commit still gets the bytes, now from the stored blob.
    assertThat(readAll(w.reader())).isEqualTo("hello, world");
    assertThat(stored.size()).isEqualTo(12);
    assertThat(store.contains(digest)).isTrue();
    assertThat(store.totalBytes()).isEqualTo(12);
    StoredBlob found = store.find(digest).orElseThrow();
    assertThat(found.size()).isEqualTo(12);
    assertThat(readAll(found.open())).isEqualTo("hello, world");
    assertThat(readAll(reopen(store, 0).find(digest).orElseThrow().open()))
        .isEqualTo("hello, world");
  }

  @Test
  void anAbortedWriteLeavesNothingAndAnAbortAfterTheCommitKeepsTheBlob() throws IOException {
    BlobStore store = newStore(0);
    BlobWriter dropped = store.writer(digestOf("dropped"));
    dropped.write(bytes("drop"));
    dropped.abort();
    dropped.abort();
    assertThatThrownBy(dropped::reader).isInstanceOf(IOException.class);
    assertThat(store.contains(digestOf("dropped"))).isFalse();

    BlobWriter kept = store.writer(digestOf("kept"));
    kept.write(bytes("kept"));
    kept.commit(false);
    kept.abort();

    assertThat(readAll(store.find(digestOf("kept")).orElseThrow().open())).isEqualTo("kept");
    assertThat(store.totalBytes()).isEqualTo(4);
    assertThat(reopen(store, 0).contains(digestOf("dropped"))).isFalse();
  }

  @Test
  void aStoredBlobReadsFromAnyPosition() throws IOException {
    BlobStore store = newStore(0);
    put(store, "0123456789", false);
    try (SeekableByteChannel in = store.find(digestOf("0123456789")).orElseThrow().open()) {
      in.position(7);
      assertThat(readAll(in)).isEqualTo("789");
    }
    try (SeekableByteChannel in = store.find(digestOf("0123456789")).orElseThrow().open()) {
      in.position(2);
      ByteBuffer three = ByteBuffer.allocate(3);
      while (three.hasRemaining()) {
        in.read(three);
      }
      assertThat(new String(three.array(), UTF_8)).isEqualTo("234");
    }
  }

  @Test
  void theBudgetEvictsTheLeastRecentlyUsedButNeverAPinnedBlob() throws IOException {
    BlobStore store = newStore(12);
    put(store, "pushed", true);
    put(store, "older!", false);
    put(store, "newer!", false);
    put(store, "newest", false);

    assertThat(store.contains(digestOf("pushed"))).isTrue();
    assertThat(store.contains(digestOf("older!"))).isFalse();
    assertThat(store.contains(digestOf("newer!"))).isFalse();
    assertThat(store.contains(digestOf("newest"))).isTrue();
    assertThat(store.totalBytes()).isEqualTo(12);

    // Pinning keeps a blob stored before; a blob not stored cannot be pinned.
    assertThat(store.pin(digestOf("newest"))).isTrue();
    assertThat(store.pin(digestOf("older!"))).isFalse();
    put(store, "latest", false);
    assertThat(store.contains(digestOf("newest"))).isTrue();
    BlobStore again = reopen(store, 12);
    assertThat(again.contains(digestOf("pushed"))).isTrue();
    assertThat(again.contains(digestOf("newest"))).isTrue();
  }

  @Test
  void aFoundBlobIsMarkedUsedSoTheBudgetKeepsIt() throws IOException {
    BlobStore store = newStore(12);
    put(store, "first!", false);
    put(store, "second", false);
    assertThat(store.find(digestOf("first!"))).isPresent();
    put(store, "third!", false);

    assertThat(store.contains(digestOf("first!"))).isTrue();
    assertThat(store.contains(digestOf("second"))).isFalse();
  }
}
