package dev.berth.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

/**
 * The push side of the registry protocol, enough to put test images into a real registry: blobs by
 * monolithic upload and manifests by {@code PUT}. Also a plain GET for assertions.
 */
public final class RegistryClient {
  private final String base;
  private final HttpClient http = HttpClient.newBuilder().build();
  private final String authorization;

  public RegistryClient(String base) {
    this(base, null);
  }

  private RegistryClient(String base, String authorization) {
    this.base = base;
    this.authorization = authorization;
  }

  /** This client sending {@code Authorization: Bearer token}. */
  public RegistryClient withBearer(String token) {
    return new RegistryClient(base, "Bearer " + token);
  }

  /** This client sending HTTP Basic credentials {@code userPass} ({@code user:password}). */
  public RegistryClient withBasic(String userPass) {
    return new RegistryClient(base, Http.basic(userPass).get("authorization"));
  }

  private HttpRequest.Builder request(URI uri) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri);
    if (authorization != null) {
      b.header("authorization", authorization);
    }
    return b;
  }

  public String base() {
    return base;
  }

  /** Uploads {@code bytes} as a blob of {@code repo}; returns its digest. */
  public String pushBlob(String repo, byte[] bytes) {
    String digest = Digests.sha256(bytes);
    upload(repo, digest, HttpRequest.BodyPublishers.ofByteArray(bytes));
    return digest;
  }

  /** Uploads the file {@code file}, whose digest is {@code digest}, as a blob of {@code repo}. */
  public void pushBlob(String repo, Path file, String digest) {
    try {
      upload(repo, digest, HttpRequest.BodyPublishers.ofFile(file));
    } catch (java.io.FileNotFoundException e) {
      throw new AssertionError(e);
    }
  }

  private void upload(String repo, String digest, HttpRequest.BodyPublisher body) {
    HttpResponse<String> start =
        send(
            request(URI.create(base + "/v2/" + repo + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    check(start, 202, "start upload");
    String location = start.headers().firstValue("location").orElseThrow();
    URI put = URI.create(base).resolve(location);
    String sep = put.getQuery() == null ? "?" : "&";
    HttpResponse<String> done =
        send(
            request(URI.create(put + sep + "digest=" + digest))
                .header("content-type", "application/octet-stream")
                .PUT(body)
                .build());
    check(done, 201, "finish upload of " + digest);
  }

  /** Puts a manifest under {@code ref} (a tag or its digest); returns its digest. */
  public String pushManifest(String repo, String ref, String mediaType, byte[] bytes) {
    HttpResponse<String> res =
        send(
            request(URI.create(base + "/v2/" + repo + "/manifests/" + ref))
                .header("content-type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes))
                .build());
    check(res, 201, "put manifest " + repo + ":" + ref);
    return Digests.sha256(bytes);
  }

  /** A GET of {@code path} with {@code headers}; the body as bytes. */
  public HttpResponse<byte[]> get(String path, Map<String, String> headers) {
    HttpRequest.Builder b = request(URI.create(base + path));
    headers.forEach(b::header);
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new AssertionError("GET " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public HttpResponse<byte[]> get(String path) {
    return get(path, Map.of());
  }

  /** A request of any method with {@code headers}; the body as bytes. */
  public HttpResponse<byte[]> send(String method, String path, Map<String, String> headers) {
    HttpRequest.Builder b =
        request(URI.create(base + path)).method(method, HttpRequest.BodyPublishers.noBody());
    headers.forEach(b::header);
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new AssertionError(method + " " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private HttpResponse<String> send(HttpRequest req) {
    try {
      return http.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(req.method() + " " + req.uri(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static void check(HttpResponse<String> res, int expected, String what) {
    if (res.statusCode() != expected) {
      throw new AssertionError(what + ": " + res.statusCode() + " " + res.body());
    }
  }
}
