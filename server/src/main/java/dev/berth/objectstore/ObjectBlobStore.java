package dev.berth.objectstore;

import dev.berth.oci.Digest;
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
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blobs in an object store, the authority, with a bounded tier of hot blobs on local disk in front
 * of it: a write goes to a local file that readers follow, is uploaded under its digest when it is
 * committed and only then joins the local tier; a blob read that the local tier lacks streams from
 * the object store while a copy is made for the next read. What the store holds is accounted in a
 * {@link BlobLedger} shared by every replica on the store (sizes, pins, last use), over which the
 * budget evicts the least recently used blobs, never a pinned one; this process keeps the digests
 * it has seen in memory. Thread-safe.
 */
public final class ObjectBlobStore implements BlobStore {
  private static final Logger log = LoggerFactory.getLogger(ObjectBlobStore.class);
  private static final int COPY_BUFFER = 256 * 1024;

  /** Uses of blobs are written to the ledger in batches, at most this often. */
  private static final long USE_FLUSH_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final Bucket bucket;
  private final FileBlobStore local;
  private final BlobLedger ledger;
  private final long budget;
  private final Executor background;
  private final Map<Digest, Long> held = new ConcurrentHashMap<>();
  private final Set<Digest> used = ConcurrentHashMap.newKeySet();
  private final AtomicLong lastFlush = new AtomicLong(System.nanoTime());
  private final AtomicLong total = new AtomicLong();
  private final Set<Digest> copying = ConcurrentHashMap.newKeySet();

  /**
   * A store on {@code bucket}, accounted in {@code ledger}, of {@code budget} bytes (0: no limit),
   * with {@code local} as its tier of hot blobs; {@code background} copies blobs into that tier and
   * writes uses to the ledger. Reads the ledger; fills it from the bucket when it is empty.
   */
  public ObjectBlobStore(
      Bucket bucket, BlobLedger ledger, FileBlobStore local, long budget, Executor background)
      throws IOException {
    this.bucket = bucket;
    this.ledger = ledger;
    this.local = local;
    this.budget = budget;
    this.background = background;
    List<BlobLedger.Entry> entries = ledger.all();
    if (entries.isEmpty()) {
      entries = fill(bucket, ledger);
    }
    entries.forEach(e -> held.put(e.digest(), e.size()));
    total.set(ledger.total());
  }

  static String blobName(Digest digest) {
    return "blobs/" + layout(digest);
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

  /**
   * Accounts what {@code bucket} holds in the empty {@code ledger}, oldest first, pinned where a
   * release before the ledger left a pin marker under {@code pins/}; returns the entries.
   */
  private static List<BlobLedger.Entry> fill(Bucket bucket, BlobLedger ledger) throws IOException {
    Set<Digest> pinned = new HashSet<>();
    for (Bucket.Listed pin : bucket.list("pins/")) {
      digestOf(pin.name(), "pins/").ifPresent(pinned::add);
    }
    List<Bucket.Listed> blobs = new ArrayList<>(bucket.list("blobs/"));
    blobs.sort(Comparator.comparing(Bucket.Listed::written));
    List<BlobLedger.Entry> entries = new ArrayList<>();
    for (Bucket.Listed blob : blobs) {
      Optional<Digest> digest = digestOf(blob.name(), "blobs/");
      if (digest.isEmpty()) {
        log.warn("ignoring an object that is not a blob: {}{}", bucket.describe(), blob.name());
        continue;
      }
      boolean pin = pinned.contains(digest.get());
      ledger.add(digest.get(), blob.size(), pin);
      entries.add(new BlobLedger.Entry(digest.get(), blob.size(), pin));
    }
    if (!entries.isEmpty()) {
      log.info("accounted {} blobs of {} in the database", entries.size(), bucket.describe());
    }
    return entries;
  }

  /** The local disk: writes pass through it before they reach the object store. */
  @Override
  public DiskSpace disk() {
    return local.disk();
  }

  /**
   * The blob {@code digest}: the local tier's copy, or the object (a copy for the local tier made
   * in the background). Answered from memory and the local disk, never a request to a backend, so
   * it may run on an event loop. An object deleted behind Berth's back fails its read, and is
   * forgotten then: the next request is a miss.
   */
  @Override
  public Optional<StoredBlob> find(Digest digest) {
    Long size = held.get(digest);
    if (size == null) {
      return Optional.empty();
    }
    markUsed(digest);
    Optional<StoredBlob> hot = local.find(digest);
    if (hot.isPresent()) {
      return hot;
    }
    copyToLocal(digest, size);
    return Optional.of(new ObjectBlob(bucket, blobName(digest), size, () -> missing(digest)));
  }

  /** The object of {@code digest} was not there when read: it is no longer held. */
  private void missing(Digest digest) {
    log.warn(
        "{}{} was deleted behind Berth's back: forgetting it", bucket.describe(), blobName(digest));
    held.remove(digest);
    try {
      background.execute(
          () -> {
            try {
              ledger.remove(digest);
              total.set(ledger.total());
            } catch (IOException e) {
              log.warn("cannot forget {}: {}", digest, e.getMessage());
            }
          });
    } catch (RuntimeException e) {
      log.debug("{} stays in the ledger for now: {}", digest, e.toString());
    }
  }

  /**
   * Notes that {@code digest} was used, for the next batch of uses written to the ledger; starts
   * that write in the background when the last is old enough.
   */
  private void markUsed(Digest digest) {
    used.add(digest);
    long now = System.nanoTime();
    long last = lastFlush.get();
    if (now - last > USE_FLUSH_NANOS && lastFlush.compareAndSet(last, now)) {
      try {
        background.execute(this::flushUses);
      } catch (RuntimeException e) {
        log.debug("uses not written now: {}", e.toString());
      }
    }
  }

  private void flushUses() {
    List<Digest> batch = new ArrayList<>(used);
    used.removeAll(batch);
    try {
      ledger.used(batch);
    } catch (IOException e) {
      log.debug("cannot record the use of {} blobs: {}", batch.size(), e.getMessage());
    }
  }

  @Override
  public boolean contains(Digest digest) {
    return held.containsKey(digest);
  }

  @Override
  public BlobWriter writer(Digest digest) throws IOException {
    return new ObjectBlobWriter(this, digest, local.writer(digest));
  }

  /**
   * Uploads what {@code writer} holds, which its caller verified to be {@code digest}, under the
   * digest, then accounts it in the ledger (a crash between the two leaves an object the sweeper
   * accounts). Then evicts least recently used blobs beyond the budget.
   */
  void upload(Digest digest, long size, Bucket.Source source, boolean pinned) throws IOException {
    bucket.write(blobName(digest), size, source);
    ledger.add(digest, size, pinned);
    held.put(digest, size);
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
    return ledger.pin(digest);
  }

  /** The bytes the ledger accounts, as of this store's last write or eviction. */
  @Override
  public long totalBytes() {
    return total.get();
  }

  /**
   * Evicts the least recently used blobs beyond the budget, the uses of this process written first
   * so that they count; a failure leaves the blobs for the next write's eviction.
   */
  private void evict() {
    try {
      if (budget > 0) {
        flushUses();
        for (BlobLedger.Entry gone : ledger.evictBeyond(budget)) {
          held.remove(gone.digest());
          try {
            bucket.delete(blobName(gone.digest()));
            log.debug("evicted {} ({} bytes) over the budget", gone.digest(), gone.size());
          } catch (IOException e) {
            log.warn("cannot delete evicted {}: {}", gone.digest(), e.getMessage());
          }
        }
      }
      total.set(ledger.total());
    } catch (IOException e) {
      log.warn("cannot evict beyond the budget: {}", e.getMessage());
    }
  }

  /**
   * Accounts objects under {@code blobs/} older than {@code cutoff} that the ledger lacks (their
   * writer died between upload and account, or a release before the ledger wrote them); returns how
   * many.
   */
  public int accountStrays(java.time.Instant cutoff) throws IOException {
    Set<Digest> accounted = new HashSet<>();
    ledger.all().forEach(e -> accounted.add(e.digest()));
    int strays = 0;
    for (Bucket.Listed blob : bucket.list("blobs/")) {
      Optional<Digest> digest = digestOf(blob.name(), "blobs/");
      // One read of the account, then a look per candidate: a row may have come since.
      if (digest.isPresent()
          && blob.written().isBefore(cutoff)
          && !accounted.contains(digest.get())
          && ledger.get(digest.get()).isEmpty()) {
        ledger.add(digest.get(), blob.size(), false);
        held.put(digest.get(), blob.size());
        strays++;
      }
    }
    return strays;
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
