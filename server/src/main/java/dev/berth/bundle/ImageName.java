package dev.berth.bundle;

import dev.berth.oci.DockerHub;

/**
 * A full image reference, as Docker normalizes one: {@code alpine:3.20} is {@code
 * docker.io/library/alpine:3.20}; the tag defaults to {@code latest}.
 *
 * @param registry the registry host
 * @param repository the repository there
 * @param reference a tag or a digest
 */
public record ImageName(String registry, String repository, String reference) {
  /** Parses {@code text}. */
  public static ImageName parse(String text) {
    String ref = text.trim();
    String reference;
    String name;
    int at = ref.indexOf('@');
    if (at > 0) {
      name = ref.substring(0, at);
      reference = ref.substring(at + 1);
      int tag = name.lastIndexOf(':');
      if (tag > name.lastIndexOf('/')) {
        name = name.substring(0, tag);
      }
    } else {
      int colon = ref.lastIndexOf(':');
      if (colon > ref.lastIndexOf('/')) {
        name = ref.substring(0, colon);
        reference = ref.substring(colon + 1);
      } else {
        name = ref;
        reference = "latest";
      }
    }
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
