package dev.berth.pull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import dev.berth.errors.OciError;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.routing.Target;
import dev.berth.upstream.UpstreamCall;
import dev.berth.upstream.UpstreamClient;
import dev.berth.upstream.UpstreamFailure;
import dev.berth.upstream.Upstreams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The referrers of a manifest in an upstream repository: the upstream's referrers API when it has
 * one, else the index its referrers tag schema keeps ({@code <alg>-<hex>} of the subject, which
 * Berth maintains there when forwarding), else none. Thread-safe.
 */
public final class ReferrersLookup {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_INDEX = 4 << 20;

  private final Upstreams upstreams;

  public ReferrersLookup(Upstreams upstreams) {
    this.upstreams = upstreams;
  }

  /** An answer: the index's bytes, and whether the {@code artifactType} filter was applied. */
  @SuppressWarnings("ArrayRecordComponent") // Bytes made once and sent as they are.
  public record Referrers(byte[] index, boolean filtered) {}

  /** The referrers of {@code subject} in {@code target}, filtered by {@code artifactType}. */
  public CompletableFuture<Referrers> find(Target target, Digest subject, String artifactType) {
    String repo = target.repository().value();
    UpstreamClient client = upstreams.client(target);
    UpstreamCall api =
        UpstreamCall.pull(
            HttpMethod.GET,
            repo,
            "referrers/"
                + subject
                + (artifactType == null
                    ? ""
                    : "?artifactType="
                        + java.net.URLEncoder.encode(
                            artifactType, java.nio.charset.StandardCharsets.UTF_8)),
            List.of(MediaTypes.OCI_INDEX),
            MAX_INDEX,
            "list referrers of " + target + "@" + subject);
    return client
        .fetch(api)
        .exceptionally(
            e -> {
              throw UpstreamFailure.of(api, e);
            })
        .thenCompose(
            res -> {
              if (res.status().code() == 200) {
                boolean applied = res.headers().contains("oci-filters-applied");
                return CompletableFuture.completedFuture(
                    applied || artifactType == null
                        ? new Referrers(res.content().array(), applied)
                        : filter(api, res, artifactType));
              }
              if (res.status().code() != 404) {
                throw UpstreamFailure.answered(api, res, client.host(), OciError.NAME_UNKNOWN);
              }
              return fromTagSchema(client, target, subject, artifactType);
            });
  }

  private CompletableFuture<Referrers> fromTagSchema(
      UpstreamClient client, Target target, Digest subject, String artifactType) {
    UpstreamCall tag =
        UpstreamCall.pull(
            HttpMethod.GET,
            target.repository().value(),
            "manifests/" + subject.algorithm() + "-" + subject.hex(),
            List.of(MediaTypes.OCI_INDEX),
            MAX_INDEX,
            "read the referrers tag of " + target + "@" + subject);
    return client
        .fetch(tag)
        .exceptionally(
            e -> {
              throw UpstreamFailure.of(tag, e);
            })
        .thenApply(
            res -> {
              if (res.status().code() == 404) {
                return new Referrers(empty(), artifactType != null);
              }
              if (res.status().code() != 200) {
                throw UpstreamFailure.answered(tag, res, client.host(), OciError.NAME_UNKNOWN);
              }
              return artifactType == null
                  ? new Referrers(res.content().array(), false)
                  : filter(tag, res, artifactType);
            });
  }

  private static Referrers filter(UpstreamCall call, AggregatedHttpResponse res, String type) {
    try {
      JsonNode index = JSON.readTree(res.content().array());
      ObjectNode out = JSON.createObjectNode();
      out.put("schemaVersion", 2);
      out.put("mediaType", MediaTypes.OCI_INDEX);
      ArrayNode entries = out.putArray("manifests");
      for (JsonNode d : index.path("manifests")) {
        if (type.equals(d.path("artifactType").asText())) {
          entries.add(d);
        }
      }
      return new Referrers(JSON.writeValueAsBytes(out), true);
    } catch (IOException e) {
      throw OciError.UPSTREAM_INVALID.with(call.description() + ": not a JSON index");
    }
  }

  private static byte[] empty() {
    try {
      ObjectNode out = JSON.createObjectNode();
      out.put("schemaVersion", 2);
      out.put("mediaType", MediaTypes.OCI_INDEX);
      out.putArray("manifests");
      return JSON.writeValueAsBytes(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
