package dev.berth.storage;

import dev.berth.config.StorageConfig;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;

/**
 * Every store the registry works on, from one backend.
 *
 * @param problems what keeps the backend from working now (a dependency that does not answer), one
 *     line each; empty when all is well
 * @param resources what to close when Berth stops (pools, clients); nothing for files
 */
public record Stores(
    BlobStore blobs,
    UploadStore uploads,
    ManifestStore manifests,
    TagStore tags,
    MemberStore members,
    ReferrerStore referrers,
    Deletions deletions,
    ForwardJournal journal,
    Supplier<List<String>> problems,
    Closeable resources) {

  /** The stores of the filesystem backend: everything in the data directory {@code paths}. */
  public static Stores onDisk(StoragePaths paths, StorageConfig config) throws IOException {
    FileBlobStore blobs = new FileBlobStore(paths, config.diskBudget().bytes());
    return new Stores(
        blobs,
        new FileUploadStore(paths, blobs),
        new FileManifestStore(paths),
        new FileTagStore(paths),
        new FileMemberStore(paths),
        new FileReferrerStore(paths),
        new FileDeletions(paths, config.allowDelete()),
        new FileForwardJournal(paths),
        List::of,
        () -> {});
  }
}
