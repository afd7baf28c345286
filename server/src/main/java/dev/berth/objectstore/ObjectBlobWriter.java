package dev.berth.objectstore;

import dev.berth.oci.Digest;
import dev.berth.storage.BlobWriter;
import dev.berth.storage.StoredBlob;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A blob written to the local tier's temporary file, which readers follow; its commit uploads it to
 * the object store under its digest, then places it in the local tier.
 */
final class ObjectBlobWriter implements BlobWriter {
  private static final Logger log = LoggerFactory.getLogger(ObjectBlobWriter.class);

  private final ObjectBlobStore store;
  private final Digest digest;
  private final BlobWriter local;

  ObjectBlobWriter(ObjectBlobStore store, Digest digest, BlobWriter local) {
    this.store = store;
    this.digest = digest;
    this.local = local;
  }

  @Override
  public void write(ByteBuffer... bufs) throws IOException {
    local.write(bufs);
  }

  @Override
  public long written() {
    return local.written();
  }

  @Override
  public SeekableByteChannel reader() throws IOException {
    return local.reader();
  }

  @Override
  public StoredBlob commit(boolean pinned) throws IOException {
    store.upload(digest, local.written(), local::reader, pinned);
    try {
      // Unpinned: the local tier only holds copies, which its own budget may evict.
      return local.commit(false);
    } catch (IOException e) {
      // The object store holds the blob: the commit stands without the local copy.
      log.warn("cannot keep {} in the local tier: {}", digest, e.toString());
      local.abort();
      return store.find(digest).orElseThrow(() -> e);
    }
  }

  @Override
  public void abort() {
    local.abort();
  }
}
