package dev.berth.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Builds real, runnable-shaped OCI images (a gzip tar layer, a config with the layer's diff id, a
 * manifest) and multi-arch indexes, and pushes them into a registry.
 */
public final class TestImages {
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";

  private TestImages() {}

  /** A pushed image: its manifest's digest, bytes and its layer digests. */
  public record Image(String digest, byte[] manifest, List<String> layers, String platform) {}

  /** A pushed index: its digest and bytes, and its images. */
  public record Index(String digest, byte[] bytes, List<Image> images) {}

  /** Pushes an index of linux/amd64 and linux/arm64 images to {@code repo:tag}. */
  public static Index pushMultiArch(RegistryClient registry, String repo, String tag) {
    List<Image> images = new ArrayList<>();
    StringBuilder entries = new StringBuilder();
    for (String arch : new String[] {"amd64", "arm64"}) {
      Image image = pushImage(registry, repo, "linux/" + arch, "hello from " + repo + " " + arch);
      images.add(image);
      if (entries.length() > 0) {
        entries.append(',');
      }
      entries.append(
          "{\"mediaType\":\""
              + OCI_MANIFEST
              + "\",\"digest\":\""
              + image.digest()
              + "\",\"size\":"
              + image.manifest().length
              + ",\"platform\":{\"architecture\":\""
              + arch
              + "\",\"os\":\"linux\"}}");
    }
    byte[] index =
        ("{\"schemaVersion\":2,\"mediaType\":\""
                + OCI_INDEX
                + "\",\"manifests\":["
                + entries
                + "]}")
            .getBytes(StandardCharsets.UTF_8);
    String digest = registry.pushManifest(repo, tag, OCI_INDEX, index);
    return new Index(digest, index, images);
  }

  /** Pushes one image for {@code platform} whose single layer holds a file saying {@code text}. */
  public static Image pushImage(
      RegistryClient registry, String repo, String platform, String text) {
    byte[] tar = tar("hello.txt", text.getBytes(StandardCharsets.UTF_8));
    byte[] layer = gzip(tar);
    String layerDigest = registry.pushBlob(repo, layer);
    String[] p = platform.split("/");
    byte[] config =
        ("{\"architecture\":\""
                + p[1]
                + "\",\"os\":\""
                + p[0]
                + "\",\"config\":{\"Cmd\":[\"/hello\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + Digests.sha256(tar)
                + "\"]}}")
            .getBytes(StandardCharsets.UTF_8);
    String configDigest = registry.pushBlob(repo, config);
    byte[] manifest =
        manifest(configDigest, config.length, List.of(layerDigest), List.of((long) layer.length));
    String digest = Digests.sha256(manifest);
    registry.pushManifest(repo, digest, OCI_MANIFEST, manifest);
    return new Image(digest, manifest, List.of(layerDigest), platform);
  }

  /** An OCI image manifest over a config and layers. */
  public static byte[] manifest(
      String config, long configSize, List<String> layers, List<Long> sizes) {
    StringBuilder l = new StringBuilder();
    for (int i = 0; i < layers.size(); i++) {
      if (i > 0) {
        l.append(',');
      }
      l.append(
          "{\"mediaType\":\""
              + OCI_LAYER
              + "\",\"digest\":\""
              + layers.get(i)
              + "\",\"size\":"
              + sizes.get(i)
              + "}");
    }
    return ("{\"schemaVersion\":2,\"mediaType\":\""
            + OCI_MANIFEST
            + "\",\"config\":{\"mediaType\":\""
            + OCI_CONFIG
            + "\",\"digest\":\""
            + config
            + "\",\"size\":"
            + configSize
            + "},\"layers\":["
            + l
            + "]}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Writes {@code size} pseudo-random bytes from {@code seed} to a new file in {@code dir}. */
  public static Path randomFile(Path dir, long size, long seed) {
    Random random = new Random(seed);
    byte[] buf = new byte[1 << 20];
    Path file = dir.resolve("blob-" + seed + "-" + size);
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long left = size; left > 0; ) {
        random.nextBytes(buf);
        int n = (int) Math.min(buf.length, left);
        out.write(buf, 0, n);
        left -= n;
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return file;
  }

  /** Pushes a blob of {@code size} random bytes to {@code repo}; returns its digest. */
  public static String pushRandomBlob(
      RegistryClient registry, String repo, Path dir, long size, long seed) {
    Path file = randomFile(dir, size, seed);
    String digest = Digests.sha256(file);
    registry.pushBlob(repo, file, digest);
    try {
      Files.delete(file);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return digest;
  }

  private static byte[] tar(String name, byte[] content) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      TarArchiveEntry entry = new TarArchiveEntry(name);
      entry.setSize(content.length);
      entry.setMode(0644);
      entry.setModTime(0);
      tar.putArchiveEntry(entry);
      tar.write(content);
      tar.closeArchiveEntry();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return bytes.toByteArray();
  }

  public static byte[] gzip(byte[] data) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write(data);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return bytes.toByteArray();
  }

  /**
   * An OCI artifact manifest of {@code artifactType} with the empty config {@code emptyConfig} (the
   * digest of {@code {}}), no layers, and {@code subject} as its subject.
   */
  public static byte[] artifact(String artifactType, String emptyConfig, Image subject) {
    return ("{\"schemaVersion\":2,\"mediaType\":\""
            + OCI_MANIFEST
            + "\","
            + "\"artifactType\":\"%s\",\"config\":{\"mediaType\":"
            + "\"application/vnd.oci.empty.v1+json\",\"digest\":\"%s\",\"size\":2},"
            + "\"layers\":[],\"subject\":{\"mediaType\":\""
            + OCI_MANIFEST
            + "\","
            + "\"digest\":\"%s\",\"size\":%d}}")
        .formatted(artifactType, emptyConfig, subject.digest(), subject.manifest().length)
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
