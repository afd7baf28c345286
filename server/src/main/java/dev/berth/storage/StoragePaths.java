package dev.berth.storage;

import dev.berth.oci.Digest;
import java.nio.file.Path;
import java.util.UUID;

/** Builds every path of the on-disk layout described in {@code package-info.java}. */
public final class StoragePaths {
  private final Path root;

  public StoragePaths(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  public Path formatVersion() {
    return root.resolve("format-version");
  }

  public Path blobs() {
    return root.resolve("blobs");
  }

  public Path blob(Digest digest) {
    return blobs()
        .resolve(digest.algorithm())
        .resolve(digest.hex().substring(0, 2))
        .resolve(digest.hex());
  }

  public Path manifest(Digest digest) {
    return root.resolve("manifests")
        .resolve(digest.algorithm())
        .resolve(digest.hex().substring(0, 2))
        .resolve(digest.hex());
  }

  public Path manifestType(Digest digest) {
    Path bytes = manifest(digest);
    return bytes.resolveSibling(bytes.getFileName() + ".type");
  }

  /** The record of {@code tag}; registry and repository names are safe path components. */
  public Path tag(String registry, String repository, String tag) {
    return root.resolve("tags").resolve(registry).resolve(repository).resolve(tag + ".json");
  }

  public Path tagList(String registry, String repository, String key) {
    return root.resolve("taglists").resolve(registry).resolve(repository).resolve(key + ".json");
  }

  /** A marker that keeps {@code digest}'s blob from eviction (pushed content). */
  public Path pin(Digest digest) {
    return root.resolve("pins")
        .resolve(digest.algorithm())
        .resolve(digest.hex().substring(0, 2))
        .resolve(digest.hex());
  }

  /** The descriptor of manifest {@code referrer}, whose subject is {@code subject}. */
  public Path referrer(String registry, String repository, Digest subject, Digest referrer) {
    return root.resolve("referrers")
        .resolve(registry)
        .resolve(repository)
        .resolve(subject.algorithm() + "-" + subject.hex())
        .resolve(referrer.algorithm() + "-" + referrer.hex() + ".json");
  }

  /**
   * The record that {@code repository} of {@code registry} holds {@code digest}: empty for a blob,
   * the media type the repository serves it as for a manifest. The {@code @} keeps it apart from
   * the directories of deeper repositories, whose components cannot hold one.
   */
  public Path member(String registry, String repository, Digest digest) {
    return members(registry, repository).resolve("@" + digest.algorithm() + "-" + digest.hex());
  }

  /** The directory of {@code repository}'s membership records. */
  public Path members(String registry, String repository) {
    return root.resolve("members").resolve(registry).resolve(repository);
  }

  /** The marker of {@code digest} deleted from local repository {@code repository}. */
  public Path deleted(String registry, String repository, Digest digest) {
    return root.resolve("deleted")
        .resolve(registry)
        .resolve(repository)
        .resolve(digest.algorithm() + "-" + digest.hex());
  }

  public Path uploads() {
    return root.resolve("uploads");
  }

  /** The bytes received so far by upload session {@code id} (a UUID). */
  public Path upload(String id) {
    return uploads().resolve(id);
  }

  /** The forwarding journal: one record per accepted forward. */
  public Path forwarding() {
    return root.resolve("forwarding");
  }

  /** The journal record of forward {@code id} (a UUID). */
  public Path forward(String id) {
    return forwarding().resolve(id + ".json");
  }

  public Path tmp() {
    return root.resolve("tmp");
  }

  /** A fresh temporary file name, for {@code what} (a digest's hex, or a short word). */
  public Path newTemp(String what) {
    return tmp().resolve(what + "." + UUID.randomUUID() + ".part");
  }

  /**
   * The directory {@code levels} above {@code file}, which Berth built below its data directory;
   * IllegalArgumentException for a path too short to have one.
   */
  public static Path above(Path file, int levels) {
    Path p = file;
    for (int i = 0; i < levels; i++) {
      Path parent = p.getParent();
      if (parent == null) {
        throw new IllegalArgumentException(file + " has no directory " + levels + " levels up");
      }
      p = parent;
    }
    return p;
  }
}
