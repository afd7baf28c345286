package dev.berth.objectstore;

import dev.berth.oci.Digest;
import dev.berth.storage.BlobIndex;
import dev.berth.storage.BlobStore;
import dev.berth.storage.BlobWriter;
import dev.berth.storage.DiskSpace;
import dev.berth.storage.FileBlobStore;
import dev.berth.storage.StoredBlob;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blobs in an object store, the authority, with a bounded tier of hot blobs on local disk in front
 * of it: a write goes to a local file that readers follow, is uploaded under its digest when it is
 * committed and only then joins the local tier; a blob read that the local tier lacks streams from
 * the object store while a copy is made for the next read. The budget evicts the least recently
 * used blobs from the object store, never a pinned one. Thread-safe.
 */
public final class ObjectBlobStore implements BlobStore {
  private static final Logger log = LoggerFactory.getLogger(ObjectBlobStore.class);
  private static final int COPY_BUFFER = 256 * 1024;

  private final Bucket bucket;
  private final FileBlobStore local;
  private final long budget;
  private final Executor background;
  private final BlobIndex index = new BlobIndex();
  private final Set<Digest> copying = ConcurrentHashMap.newKeySet();

  /**
   * A store on {@code bucket} of {@code budget} bytes (0: no limit), with {@code local} as its tier
   * of hot blobs; {@code background} copies blobs into that tier. Reads what the bucket holds.
   */
  public ObjectBlobStore(Bucket bucket, FileBlobStore local, long budget, Executor background)
      throws IOException {
    this.bucket = bucket;
    this.local = local;
    this.budget = budget;
    this.background = background;
    scan();
  }

  static String blobName(Digest digest) {
    return "blobs/" + layout(digest);
  }

  static String pinName(Digest digest) {
    return "pins/" + layout(digest);
  }

  private static String layout(Digest digest) {
    return digest.algorithm() + "/" + digest.hex().substring(0, 2) + "/" + digest.hex();
  }

  /** The digest an object of {@code kind} ({@code blobs/}, {@code pins/}) is named for, if any. */
  private static Optional<Digest> digestOf(String name, String kind) {
    String[] parts = name.substring(kind.length()).split("/", -1);
    try {
      return parts.length == 3 ? Optional.of(new Digest(parts[0], parts[2])) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private void scan() throws IOException {
    Set<Digest> pinned = new HashSet<>();
    for (Bucket.Listed pin : bucket.list("pins/")) {
      digestOf(pin.name(), "pins/").ifPresent(pinned::add);
    }
    List<Bucket.Listed> blobs = new ArrayList<>(bucket.list("blobs/"));
    // Oldest first: the index counts later additions as more recently used.
    blobs.sort(Comparator.comparing(Bucket.Listed::written));
    for (Bucket.Listed blob : blobs) {
      Optional<Digest> digest = digestOf(blob.name(), "blobs/");
      if (digest.isEmpty()) {
        log.warn("ignoring an object that is not a blob: {}{}", bucket.describe(), blob.name());
        continue;
      }
      index.add(digest.get(), blob.size(), pinned.contains(digest.get()));
    }
  }

  /** The local disk: writes pass through it before they reach the object store. */
  @Override
  public DiskSpace disk() {
    return local.disk();
  }

  @Override
  public Optional<StoredBlob> find(Digest digest) {
    Optional<BlobIndex.Entry> held = index.get(digest);
    if (held.isEmpty()) {
      return Optional.empty();
    }
    index.touch(digest);
    Optional<StoredBlob> hot = local.find(digest);
    if (hot.isPresent()) {
      return hot;
    }
    long size = held.get().size();
    copyToLocal(digest, size);
    return Optional.of(new ObjectBlob(bucket, blobName(digest), size));
  }

  @Override
  public boolean contains(Digest digest) {
    return index.contains(digest);
  }

  @Override
  public BlobWriter writer(Digest digest) throws IOException {
    return new ObjectBlobWriter(this, digest, local.writer(digest));
  }

  /**
   * Uploads what {@code writer} holds, which its caller verified to be {@code digest}, under the
   * digest; a {@code pinned} blob's marker goes first, so that a crash between the two leaves a pin
   * without a blob, never the reverse. Then evicts least recently used blobs beyond the budget.
   */
  void upload(Digest digest, long size, Bucket.Source source, boolean pinned) throws IOException {
    if (pinned) {
      bucket.write(pinName(digest), new byte[0]);
    }
    bucket.write(blobName(digest), size, source);
    index.add(digest, size, pinned);
    evict();
  }

  /**
   * Places {@code file}, whose content was verified to be {@code digest} and {@code size} bytes
   * long, under its digest: uploaded to the object store, then moved into the local tier (no copy).
   */
  public StoredBlob adopt(Path file, Digest digest, long size, boolean pinned) throws IOException {
    upload(digest, size, () -> FileChannel.open(file, StandardOpenOption.READ), pinned);
    try {
      return local.adopt(file, digest, size, false);
    } catch (IOException e) {
      log.warn("cannot keep {} in the local tier: {}", digest, e.toString());
      return find(digest).orElseThrow(() -> e);
    }
  }

  @Override
  public boolean pin(Digest digest) throws IOException {
    if (!index.contains(digest)) {
      return false;
    }
    bucket.write(pinName(digest), new byte[0]);
    return index.pin(digest);
  }

  @Override
  public long totalBytes() {
    return index.total();
  }

  private void evict() {
    index.evict(budget, d -> bucket.delete(blobName(d)));
  }

  /**
   * Copies {@code digest} from the object store into the local tier in the background, once at a
   * time per digest; a failed copy only costs the next read another trip to the object store.
   */
  private void copyToLocal(Digest digest, long size) {
    if (!copying.add(digest)) {
      return;
    }
    try {
      background.execute(
          () -> {
            try {
              copy(digest, size);
            } catch (IOException | RuntimeException e) {
              log.warn("cannot copy {} into the local tier: {}", digest, e.toString());
            } finally {
              copying.remove(digest);
            }
          });
    } catch (RuntimeException e) {
      copying.remove(digest);
      log.debug("no copy of {} into the local tier: {}", digest, e.toString());
    }
  }

  private void copy(Digest digest, long size) throws IOException {
    BlobWriter writer = local.writer(digest);
    try (InputStream in = bucket.read(blobName(digest), 0)) {
      MessageDigest hasher = digest.newHasher();
      byte[] buf = new byte[COPY_BUFFER];
      for (int n; (n = in.read(buf)) > 0; ) {
        hasher.update(buf, 0, n);
        writer.write(ByteBuffer.wrap(buf, 0, n));
      }
      Digest found = digest.finish(hasher);
      if (writer.written() != size || !found.equals(digest)) {
        throw new IOException(
            "the object store holds "
                + writer.written()
                + " bytes of digest "
                + found
                + " under "
                + digest);
      }
      writer.commit(false);
    } finally {
      writer.abort();
    }
  }
}
