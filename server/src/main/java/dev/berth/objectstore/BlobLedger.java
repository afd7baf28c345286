package dev.berth.objectstore;

import dev.berth.oci.Digest;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The account of the blobs an object store holds, kept where every replica on the store sees it:
 * each blob's size, whether it is pinned (never evicted), and when it was last used. The budget is
 * enforced over this account, least recently used first.
 */
public interface BlobLedger {
  /** One blob in the account. */
  record Entry(Digest digest, long size, boolean pinned) {}

  /** Every blob, least recently used first. */
  List<Entry> all() throws IOException;

  /** The blob {@code digest}, if the account holds it. */
  Optional<Entry> get(Digest digest) throws IOException;

  /**
   * Records {@code digest}, stored under its name, as used now; a blob pinned before stays pinned.
   */
  void add(Digest digest, long size, boolean pinned) throws IOException;

  /** Pins {@code digest}; whether the account holds it. */
  boolean pin(Digest digest) throws IOException;

  /** Records {@code digests} as used now. */
  void used(Collection<Digest> digests) throws IOException;

  /** Removes {@code digest} from the account (its object is gone or going). */
  void remove(Digest digest) throws IOException;

  /** The bytes of every blob in the account. */
  long total() throws IOException;

  /**
   * Takes least recently used blobs that are not pinned out of the account until it holds at most
   * {@code budget} bytes; returns them, for their objects to be deleted. Two callers at once never
   * take the same blob.
   */
  List<Entry> evictBeyond(long budget) throws IOException;
}
