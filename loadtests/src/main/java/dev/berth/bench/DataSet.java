package dev.berth.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The content every system serves: random blobs of the plan's sizes, a two-platform image index
 * (tag {@value #INDEX_TAG}) over two small image manifests, and the image pushed by the push
 * scenarios. The files live under {@link #root()} as nginx serves them: {@code blobs/<hex>} and
 * {@code manifests/<hex>}.
 */
final class DataSet {
  static final String REPO = "bench/data";
  static final String INDEX_TAG = "multi";

  final Blob warm;
  final Blob cold;
  final Blob many;
  final Blob push;
  final Blob pushConfig;
  final Manifest amd64;
  final Manifest index;
  final Manifest pushImage;
  private final Blob arm64Layer;
  private final Blob amd64Config;
  private final Blob arm64Config;
  private final Manifest arm64;
  private final Path root;

  private DataSet(Path root, Plan plan) throws IOException {
    this.root = root;
    Path blobs = Files.createDirectories(root.resolve("blobs"));
    warm = RandomFiles.write(blobs, plan.warmBytes(), 1);
    cold = RandomFiles.write(blobs, plan.coldBytes(), 2);
    many = RandomFiles.write(blobs, plan.manyBytes(), 3);
    push = RandomFiles.write(blobs, plan.pushBytes(), 4);
    arm64Layer = RandomFiles.write(blobs, 64 << 10, 5);
    amd64Config = config(blobs, "amd64", warm);
    arm64Config = config(blobs, "arm64", arm64Layer);
    pushConfig = config(blobs, "push", push);
    amd64 = image(amd64Config, warm);
    arm64 = image(arm64Config, arm64Layer);
    pushImage = image(pushConfig, push);
    index = index(amd64, arm64);
    Path manifests = Files.createDirectories(root.resolve("manifests"));
    for (Manifest m : new Manifest[] {amd64, arm64, index, pushImage}) {
      Files.write(manifests.resolve(m.hex()), m.bytes());
    }
    Files.writeString(root.resolve("ready"), "ready\n");
  }

  /** Generates the data set under {@code root}. */
  static DataSet create(Path root, Plan plan) {
    try {
      return new DataSet(root, plan);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What nginx serves: the files of the data set. */
  Path root() {
    return root;
  }

  /** Pushes the pull side of the data set into {@link #REPO} of the registry at {@code base}. */
  void pushTo(String base) {
    for (Blob b : new Blob[] {warm, cold, many, arm64Layer, amd64Config, arm64Config}) {
      Pusher.blob(base, REPO, b);
    }
    Pusher.manifest(base, REPO, amd64.digest(), amd64);
    Pusher.manifest(base, REPO, arm64.digest(), arm64);
    Pusher.manifest(base, REPO, INDEX_TAG, index);
  }

  private static Blob config(Path dir, String arch, Blob layer) {
    String json =
        """
        {"architecture":"%s","os":"linux","rootfs":{"type":"layers","diff_ids":["%s"]}}"""
            .formatted(arch.equals("push") ? "amd64" : arch, layer.digest());
    return RandomFiles.write(dir, json.getBytes(StandardCharsets.UTF_8));
  }

  private static Manifest image(Blob config, Blob layer) {
    return Manifest.of(
        Manifest.OCI_MANIFEST,
        """
        {"schemaVersion":2,"mediaType":"%s","config":{"mediaType":\
        "application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":\
        "application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%d}]}"""
            .formatted(
                Manifest.OCI_MANIFEST,
                config.digest(),
                config.size(),
                layer.digest(),
                layer.size()));
  }

  private static Manifest index(Manifest amd64, Manifest arm64) {
    String entry =
        """
        {"mediaType":"%s","digest":"%s","size":%d,"platform":{"architecture":"%s","os":"linux"}}""";
    return Manifest.of(
        Manifest.OCI_INDEX,
        """
        {"schemaVersion":2,"mediaType":"%s","manifests":[%s,%s]}"""
            .formatted(
                Manifest.OCI_INDEX,
                entry.formatted(
                    Manifest.OCI_MANIFEST, amd64.digest(), amd64.bytes().length, "amd64"),
                entry.formatted(
                    Manifest.OCI_MANIFEST, arm64.digest(), arm64.bytes().length, "arm64")));
  }
}
