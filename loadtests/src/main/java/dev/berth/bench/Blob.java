package dev.berth.bench;

import java.nio.file.Path;

/** A blob of the data set: its digest ({@code sha256:<hex>}), size and the file that holds it. */
record Blob(String digest, long size, Path file) {
  String hex() {
    return digest.substring("sha256:".length());
  }
}
