package dev.berth.upstream;

import com.linecorp.armeria.common.HttpMethod;
import java.util.List;

/**
 * One request to an upstream registry: what it sends, what it accepts, the token scope it needs,
 * and a description used in every error message about it.
 *
 * @param method GET or HEAD
 * @param path the path below the endpoint, starting with {@code /v2/}
 * @param accept the media types to send in {@code Accept}; empty sends none
 * @param scope the token scope, e.g. {@code repository:library/alpine:pull}
 * @param rangeStart the first byte wanted, or 0 for all of it
 * @param maxLength the most bytes of body to read; 0 streams without a limit
 * @param description what is being done, e.g. {@code pull manifest docker.io/library/alpine:3.20}
 */
public record UpstreamCall(
    HttpMethod method,
    String path,
    List<String> accept,
    String scope,
    long rangeStart,
    int maxLength,
    String description) {

  /**
   * A pull of {@code resource} ({@code manifests/<ref>}, {@code blobs/<digest>}, {@code
   * tags/list?...}) of {@code repository}: the path and the token scope both follow from them.
   */
  public static UpstreamCall pull(
      HttpMethod method,
      String repository,
      String resource,
      List<String> accept,
      int maxLength,
      String description) {
    return new UpstreamCall(
        method,
        "/v2/" + repository + "/" + resource,
        accept,
        "repository:" + repository + ":pull",
        0,
        maxLength,
        description);
  }

  /** This call asking for bytes from {@code start} on. */
  public UpstreamCall from(long start) {
    return new UpstreamCall(method, path, accept, scope, start, maxLength, description);
  }
}
