package dev.berth.oci;

/**
 * A full image reference, as Docker normalizes one: {@code alpine:3.20} is {@code
 * docker.io/library/alpine:3.20}; the tag defaults to {@code latest}.
 *
 * @param registry the registry host
 * @param repository the repository there
 * @param reference a tag or a digest
 */
public record ImageName(String registry, String repository, String reference) {
  /**
   * A reference split into the name and the tag or digest, as written: {@code alpine:3.20} is
   * {@code alpine} and {@code 3.20}; a tag beside a digest only names it for people, so the digest
   * decides; no tag is {@code latest}.
   */
  public record Parts(String name, String reference) {}

  /** {@code text} split into name and tag or digest, without normalizing the name. */
  public static Parts split(String text) {
    String ref = text.trim();
    int at = ref.indexOf('@');
    if (at > 0) {
      String name = ref.substring(0, at);
      int tag = name.lastIndexOf(':');
      if (tag > name.lastIndexOf('/')) {
        name = name.substring(0, tag);
      }
      return new Parts(name, ref.substring(at + 1));
    }
    int colon = ref.lastIndexOf(':');
    if (colon > ref.lastIndexOf('/')) {
      return new Parts(ref.substring(0, colon), ref.substring(colon + 1));
    }
    return new Parts(ref, "latest");
  }

  /** Parses {@code text}. */
  public static ImageName parse(String text) {
    Parts parts = split(text);
    String name = parts.name();
    String reference = parts.reference();
    int slash = name.indexOf('/');
    String first = slash < 0 ? "" : name.substring(0, slash);
    boolean host = first.contains(".") || first.contains(":") || first.equals("localhost");
    String registry = host ? DockerHub.canonical(first) : DockerHub.NAME;
    String repository = host ? name.substring(slash + 1) : name;
    if (registry.equals(DockerHub.NAME) && !repository.contains("/")) {
      repository = "library/" + repository;
    }
    if (repository.isEmpty() || reference.isEmpty()) {
      throw new IllegalArgumentException("not an image reference: " + text);
    }
    return new ImageName(registry, repository, reference);
  }

  public boolean isDigest() {
    return reference.contains(":");
  }

  @Override
  public String toString() {
    return registry + "/" + repository + (isDigest() ? "@" : ":") + reference;
  }
}
