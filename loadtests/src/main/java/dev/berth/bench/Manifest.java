package dev.berth.bench;

import java.nio.charset.StandardCharsets;

/** A manifest of the data set: its exact bytes, media type and digest. */
@SuppressWarnings("ArrayRecordComponent") // Built once, never changed.
record Manifest(String mediaType, byte[] bytes, String digest) {
  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

  static Manifest of(String mediaType, String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    return new Manifest(mediaType, bytes, Digests.of(bytes));
  }

  String hex() {
    return digest.substring("sha256:".length());
  }
}
