package dev.berth.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;

/** Downloads a blob as a client would, hashing it as it streams, never holding it in memory. */
public final class BlobClient {
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final String base;

  public BlobClient(String base) {
    this.base = base;
  }

  /**
   * What one download got: its status, the digest of the bytes received, their count, the {@code
   * berth-cache} header, and the error that ended it early (null when it completed).
   */
  public record Download(int status, String digest, long bytes, String cache, Throwable error) {}

  /** Downloads {@code path} whole. */
  public Download get(String path) {
    return get(path, Long.MAX_VALUE);
  }

  /** Downloads {@code path}, hanging up after {@code stopAfter} bytes. */
  public Download get(String path, long stopAfter) {
    MessageDigest md = Digests.hasher();
    long read = 0;
    int status = 0;
    String cache = null;
    try {
      HttpResponse<InputStream> res =
          http.send(
              HttpRequest.newBuilder(URI.create(base + path)).build(),
              HttpResponse.BodyHandlers.ofInputStream());
      status = res.statusCode();
      cache = res.headers().firstValue("berth-cache").orElse(null);
      try (InputStream in = res.body()) {
        byte[] buf = new byte[1 << 16];
        for (int n; read < stopAfter && (n = in.read(buf)) > 0; ) {
          md.update(buf, 0, n);
          read += n;
        }
      }
      return new Download(
          status, "sha256:" + HexFormat.of().formatHex(md.digest()), read, cache, null);
    } catch (IOException e) {
      return new Download(status, null, read, cache, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
