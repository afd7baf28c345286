package dev.berth.bundle;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ImageName;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes images read from a running Berth into an OCI image layout archive: {@code oci-layout},
 * {@code index.json} naming each image by its full reference (in {@code
 * org.opencontainers.image.ref.name} and {@code io.containerd.image.name}, as skopeo and {@code ctr
 * import} read them), and every manifest and blob under {@code blobs/sha256/}, each verified
 * against its digest as it streams. An index is written unmodified, with the images of the wanted
 * platforms. The archive appears only when complete.
 */
public final class BundleWriter {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ACCEPT =
      String.join(
          ", ",
          MediaTypes.OCI_INDEX,
          MediaTypes.OCI_MANIFEST,
          "application/vnd.docker.distribution.manifest.list.v2+json",
          "application/vnd.docker.distribution.manifest.v2+json");

  private final URI berth;
  private final Optional<String> authorization;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /** A writer that reads from the Berth at {@code berth}, sending {@code authorization} if any. */
  public BundleWriter(URI berth, Optional<String> authorization) {
    this.berth = berth;
    this.authorization = authorization;
  }

  private HttpRequest.Builder request(URI uri) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri);
    authorization.ifPresent(a -> b.header("authorization", a));
    return b;
  }

  /** What is to be written: each image's manifests, and every blob with its size. */
  public record Plan(
      Map<ImageName, Manifest> images,
      Map<Digest, Manifest> manifests,
      Map<Digest, Long> blobs,
      Map<Digest, ImageName> blobRepo) {
    public long bytes() {
      return blobs.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** Reads the manifests of {@code names} for {@code platforms} (all when empty). */
  public Plan plan(List<ImageName> names, List<String> platforms)
      throws IOException, InterruptedException {
    Map<ImageName, Manifest> images = new LinkedHashMap<>();
    Map<Digest, Manifest> manifests = new LinkedHashMap<>();
    Map<Digest, Long> blobs = new LinkedHashMap<>();
    Map<Digest, ImageName> blobRepo = new LinkedHashMap<>();
    for (ImageName name : names) {
      Manifest top = manifest(name, name.reference());
      images.put(name, top);
      manifests.put(top.digest(), top);
      List<Manifest> chosen = new ArrayList<>();
      if (top.isIndex()) {
        for (Descriptor d : top.children()) {
          if (platforms.isEmpty() || Platform.firstCovering(platforms, d.platform()) != null) {
            Manifest child = manifest(name, d.digest().toString());
            manifests.put(child.digest(), child);
            chosen.add(child);
          }
        }
        if (chosen.isEmpty()) {
          throw new IOException(name + " has no image for " + String.join(", ", platforms));
        }
      } else {
        chosen.add(top);
      }
      for (Manifest m : chosen) {
        for (var d : sizes(m).entrySet()) {
          blobs.putIfAbsent(d.getKey(), d.getValue());
          blobRepo.putIfAbsent(d.getKey(), name);
        }
      }
    }
    return new Plan(images, manifests, blobs, blobRepo);
  }

  /** Writes {@code plan} to {@code out}; {@code progress} hears of every blob byte written. */
  public void write(Plan plan, Path out, LongConsumer progress)
      throws IOException, InterruptedException {
    Path partial = out.resolveSibling(out.getFileName() + ".part");
    try (OutputStream file = Files.newOutputStream(partial);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(file)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      entry(
          tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
      for (Manifest m : plan.manifests().values()) {
        entry(tar, path(m.digest()), m.bytes());
      }
      for (var blob : plan.blobs().entrySet()) {
        ImageName from =
            java.util.Objects.requireNonNull(plan.blobRepo().get(blob.getKey()), "planned");
        blob(tar, from, blob.getKey(), blob.getValue(), progress);
      }
      entry(tar, "index.json", index(plan));
      tar.finish();
    } catch (IOException | InterruptedException | RuntimeException e) {
      Files.deleteIfExists(partial);
      throw e;
    }
    Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING);
  }

  private static byte[] index(Plan plan) throws IOException {
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", MediaTypes.OCI_INDEX);
    ArrayNode entries = index.putArray("manifests");
    for (var image : plan.images().entrySet()) {
      Manifest m = image.getValue();
      ObjectNode d = entries.addObject();
      d.put("mediaType", m.mediaType());
      d.put("digest", m.digest().toString());
      d.put("size", m.bytes().length);
      ObjectNode annotations = d.putObject("annotations");
      annotations.put("org.opencontainers.image.ref.name", image.getKey().toString());
      annotations.put("io.containerd.image.name", image.getKey().toString());
    }
    return JSON.writeValueAsBytes(index);
  }

  private Manifest manifest(ImageName name, String reference)
      throws IOException, InterruptedException {
    HttpResponse<byte[]> res =
        http.send(
            request(uri(name, "manifests/" + reference)).header("accept", ACCEPT).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    if (res.statusCode() != 200) {
      throw new IOException(
          name.registry()
              + "/"
              + name.repository()
              + ":"
              + reference
              + ": Berth answered "
              + res.statusCode()
              + " "
              + new String(res.body(), StandardCharsets.UTF_8).trim());
    }
    String type = MediaTypes.bare(res.headers().firstValue("content-type").orElse(""));
    Manifest m = Manifest.of(res.body(), type);
    if (Digest.looksLikeDigest(reference) && !m.digest().toString().equals(reference)) {
      throw new IOException(reference + ": Berth sent bytes with digest " + m.digest());
    }
    return m;
  }

  /** The config and layer blobs of image manifest {@code m}, with their sizes. */
  private static Map<Digest, Long> sizes(Manifest m) {
    Map<Digest, Long> out = new LinkedHashMap<>();
    for (Descriptor d : m.blobs()) {
      out.put(d.digest(), d.size());
    }
    return out;
  }

  private void blob(
      TarArchiveOutputStream tar, ImageName name, Digest digest, long size, LongConsumer progress)
      throws IOException, InterruptedException {
    HttpResponse<InputStream> res =
        http.send(
            request(uri(name, "blobs/" + digest)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = res.body()) {
      if (res.statusCode() != 200) {
        throw new IOException(digest + " of " + name + ": Berth answered " + res.statusCode());
      }
      TarArchiveEntry entry = new TarArchiveEntry(path(digest));
      entry.setSize(size);
      tar.putArchiveEntry(entry);
      MessageDigest hasher = digest.newHasher();
      byte[] buf = new byte[1 << 16];
      long copied = 0;
      for (int n; (n = in.read(buf)) > 0; ) {
        if (copied + n > size) {
          throw new IOException(digest + ": Berth sent more than the " + size + " bytes named");
        }
        hasher.update(buf, 0, n);
        tar.write(buf, 0, n);
        copied += n;
        progress.accept(n);
      }
      if (copied != size || !digest.finish(hasher).equals(digest)) {
        throw new IOException(digest + ": the bytes Berth sent do not match the digest");
      }
      tar.closeArchiveEntry();
    }
  }

  private static void entry(TarArchiveOutputStream tar, String name, byte[] bytes)
      throws IOException {
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setSize(bytes.length);
    tar.putArchiveEntry(entry);
    tar.write(bytes);
    tar.closeArchiveEntry();
  }

  static String path(Digest digest) {
    return "blobs/" + digest.algorithm() + "/" + digest.hex();
  }

  private URI uri(ImageName name, String resource) {
    return berth.resolve("/v2/" + name.registry() + "/" + name.repository() + "/" + resource);
  }
}
