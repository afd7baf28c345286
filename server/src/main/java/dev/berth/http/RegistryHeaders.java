package dev.berth.http;

/** Header names of the registry protocol and Berth's own. */
final class RegistryHeaders {
  static final String API_VERSION = "docker-distribution-api-version";
  static final String CONTENT_DIGEST = "docker-content-digest";
  static final String NAMESPACE = "oci-namespace";

  /** Berth's answer to "where did this come from": {@code hit}, {@code miss} or {@code stale}. */
  static final String CACHE = "berth-cache";

  private RegistryHeaders() {}
}
