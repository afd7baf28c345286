package dev.berth.prefetch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.berth.access.ClientAccess;
import dev.berth.errors.OciError;
import dev.berth.oci.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * {@code POST /_berth/v1/prefetch}: pre-pulls the images in the request body ({@code {"images":
 * [{"ref": "alpine:3.20", "platforms": ["linux/arm64"]}]}}) and streams its progress as JSON lines
 * ({@code application/x-ndjson}): {@code resolved}, {@code blob} and {@code result} events per
 * image, then one {@code summary}. The work goes on if the client leaves. With {@code "check":
 * true} it pulls nothing and answers whether each image is already held. With {@code auth}, the
 * client must be allowed to pull every image it names. Thread-safe.
 */
public final class PrefetchService implements HttpService {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MediaType NDJSON = MediaType.parse("application/x-ndjson");

  private final Prefetcher prefetcher;
  private final ClientAccess access;

  public PrefetchService(Prefetcher prefetcher, ClientAccess access) {
    this.prefetcher = prefetcher;
    this.access = access;
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    if (ctx.method() != HttpMethod.POST) {
      throw OciError.UNSUPPORTED.with(ctx.method() + " on " + ctx.path() + "; use POST");
    }
    // Berth fetches with its own credentials: with auth, only for clients who may pull it all.
    access.checkKnown(ctx);
    // Pre-pulling many large images takes as long as it takes.
    ctx.clearRequestTimeout();
    return HttpResponse.of(
        req.aggregate()
            .thenApplyAsync(
                agg -> {
                  JsonNode root = readBody(agg.content().array());
                  List<ImageRequest> images = parse(root);
                  access.checkAll(
                      ctx,
                      images.stream().map(i -> prefetcher.target(i.ref()).toString()).toList(),
                      false);
                  return root.path("check").asBoolean(false) ? check(images) : start(images);
                },
                ctx.blockingTaskExecutor()));
  }

  private static JsonNode readBody(byte[] body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw OciError.REQUEST_INVALID.with("the body is not JSON: " + e.getMessage());
    }
  }

  /**
   * With {@code "check": true}: one {@code presence} line per image saying whether Berth holds it
   * for its platforms ({@code held}, {@code missing}, {@code error}), read from disk alone.
   */
  private HttpResponse check(List<ImageRequest> images) {
    StringBuilder lines = new StringBuilder();
    for (ImageRequest image : images) {
      Prefetcher.Presence p = prefetcher.check(image);
      ObjectNode n = event("presence", p.ref());
      n.put("held", p.held());
      n.put("complete", p.complete());
      n.set("missing", JSON.valueToTree(p.missing()));
      n.put("error", p.error());
      lines.append(n).append('\n');
    }
    return HttpResponse.of(HttpStatus.OK, NDJSON, lines.toString());
  }

  private static List<ImageRequest> parse(JsonNode root) {
    List<ImageRequest> images = new ArrayList<>();
    if (!root.path("images").isArray() || root.path("images").isEmpty()) {
      throw OciError.REQUEST_INVALID.with(
          "expected {\"images\": [{\"ref\": ...}, ...]} with at least one image");
    }
    for (JsonNode image : root.path("images")) {
      String ref = image.path("ref").asText("");
      if (ref.isEmpty()) {
        throw OciError.NAME_INVALID.with("an image without a ref");
      }
      List<String> platforms = new ArrayList<>();
      image.path("platforms").forEach(p -> platforms.add(p.asText()));
      try {
        images.add(
            new ImageRequest(
                ref,
                Sources.platforms(String.join(",", platforms), ref),
                image.path("origin").asText(ref)));
      } catch (Sources.SourceException e) {
        throw OciError.REQUEST_INVALID.with(String.valueOf(e.getMessage()));
      }
    }
    return images;
  }

  private HttpResponse start(List<ImageRequest> images) {
    HttpResponseWriter out = HttpResponse.streaming();
    out.write(ResponseHeaders.builder(HttpStatus.OK).contentType(NDJSON).build());
    Prefetcher.Listener listener =
        new Prefetcher.Listener() {
          @Override
          public void resolved(String ref, Digest digest, int blobs, long bytes) {
            ObjectNode n = event("resolved", ref);
            n.put("digest", digest.toString());
            n.put("blobs", blobs);
            n.put("bytes", bytes);
            send(out, n);
          }

          @Override
          public void blob(String ref, Digest digest, long bytes, boolean fetched) {
            ObjectNode n = event("blob", ref);
            n.put("digest", digest.toString());
            n.put("bytes", bytes);
            n.put("fetched", fetched);
            send(out, n);
          }
        };
    List<CompletableFuture<Prefetcher.Result>> all = new ArrayList<>();
    for (ImageRequest image : images) {
      all.add(
          prefetcher
              .prefetch(image, listener)
              .thenApply(
                  r -> {
                    send(out, result(r));
                    return r;
                  }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .whenComplete(
            (v, e) -> {
              ObjectNode summary = event("summary", null);
              int failed = 0;
              long fetchedBytes = 0;
              for (var f : all) {
                Prefetcher.Result r = f.join();
                failed += r.ok() ? 0 : 1;
                fetchedBytes += r.fetchedBytes();
              }
              summary.put("images", all.size());
              summary.put("failed", failed);
              summary.put("fetchedBytes", fetchedBytes);
              send(out, summary);
              out.close();
            });
    return out;
  }

  private static ObjectNode event(String kind, @Nullable String ref) {
    ObjectNode n = JSON.createObjectNode();
    n.put("event", kind);
    if (ref != null) {
      n.put("ref", ref);
    }
    return n;
  }

  /** A result as its JSON line. */
  static ObjectNode result(Prefetcher.Result r) {
    ObjectNode n = event("result", r.ref());
    n.put("ok", r.ok());
    n.put("digest", r.digest());
    n.put("changed", r.changed());
    n.set("platforms", JSON.valueToTree(r.platforms()));
    n.put("blobs", r.blobs());
    n.put("fetchedBlobs", r.fetchedBlobs());
    n.put("bytes", r.bytes());
    n.put("fetchedBytes", r.fetchedBytes());
    n.put("attempts", r.attempts());
    n.put("error", r.error());
    return n;
  }

  private static void send(HttpResponseWriter out, ObjectNode n) {
    try {
      byte[] line = JSON.writeValueAsBytes(n);
      byte[] withNewline = java.util.Arrays.copyOf(line, line.length + 1);
      withNewline[line.length] = '\n';
      // A client that left does not stop the work.
      var unused = out.tryWrite(HttpData.wrap(withNewline));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
