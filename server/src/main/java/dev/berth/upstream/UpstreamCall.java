package dev.berth.upstream;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.stream.StreamMessage;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

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
 * @param body what a {@code PUT} or {@code POST} sends, or null
 */
public record UpstreamCall(
    HttpMethod method,
    String path,
    List<String> accept,
    String scope,
    long rangeStart,
    int maxLength,
    String description,
    @Nullable Body body) {

  /**
   * A request body that can be sent again (after a refused token): {@code open} gives a fresh
   * stream of it each time.
   */
  public record Body(Supplier<StreamMessage<HttpData>> open, long length, String contentType) {}

  /** A call without a body. */
  public UpstreamCall(
      HttpMethod method,
      String path,
      List<String> accept,
      String scope,
      long rangeStart,
      int maxLength,
      String description) {
    this(method, path, accept, scope, rangeStart, maxLength, description, null);
  }

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
    return new UpstreamCall(method, path, accept, scope, start, maxLength, description, body);
  }

  /**
   * A push request to {@code path} (below the endpoint, query included) of {@code repository},
   * whose token needs pull and push rights; {@code body} may be null.
   */
  public static UpstreamCall push(
      HttpMethod method, String repository, String path, @Nullable Body body, String description) {
    return new UpstreamCall(
        method,
        path,
        List.of(),
        "repository:" + repository + ":pull,push",
        0,
        64 << 10,
        description,
        body);
  }
}
