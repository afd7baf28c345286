package dev.berth.bench;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Pushes with the OCI distribution API: monolithic blob uploads (POST, then PUT) and manifests. */
final class Pusher {
  private Pusher() {}

  /** Uploads {@code blob} to {@code repo} of the registry at {@code base}; fails unless 201. */
  static void blob(String base, String repo, Blob blob) {
    HttpResponse<byte[]> started =
        Http.expect(
            Http.send(
                Http.request(base + "/v2/" + repo + "/blobs/uploads/")
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build()),
            202);
    String location = started.headers().firstValue("location").orElseThrow();
    String url =
        (location.startsWith("/") ? base + location : location)
            + (location.contains("?") ? "&" : "?")
            + "digest="
            + blob.digest();
    Curl.Transfer put = Curl.put(url, blob.file());
    if (put.status() != 201) {
      throw new BenchException("PUT " + url + " answered " + put.status() + " (expected: 201)");
    }
  }

  /** PUT of {@code manifest} as {@code reference} (a tag or its digest); fails unless 201. */
  static void manifest(String base, String repo, String reference, Manifest manifest) {
    Http.expect(
        Http.send(
            Http.request(base + "/v2/" + repo + "/manifests/" + reference)
                .header("Content-Type", manifest.mediaType())
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest.bytes()))
                .build()),
        201);
  }

  /** DELETE of a blob or manifest ({@code kind}); what is not there is fine too. */
  static void delete(String base, String repo, String kind, String digest) {
    int status =
        Http.send(Http.request(base + "/v2/" + repo + "/" + kind + "/" + digest).DELETE().build())
            .statusCode();
    if (status != 202 && status != 404) {
      throw new BenchException(
          "DELETE " + kind + " " + digest + " of " + repo + " answered " + status);
    }
  }
}
