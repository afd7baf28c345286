package dev.berth.pull;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.common.QueryParamsBuilder;
import com.linecorp.armeria.common.util.BlockingTaskExecutor;
import dev.berth.errors.OciError;
import dev.berth.errors.RegistryException;
import dev.berth.oci.Digest;
import dev.berth.routing.Target;
import dev.berth.storage.TagStore;
import dev.berth.storage.TagStore.TagList;
import dev.berth.upstream.UpstreamCall;
import dev.berth.upstream.UpstreamClient;
import dev.berth.upstream.UpstreamFailure;
import dev.berth.upstream.Upstreams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Tag listing, proxied to the upstream with {@code n} and {@code last}. Each answer is kept, so
 * that when the upstream is down the last list seen is served, marked stale. Thread-safe.
 */
public final class TagLister {
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private final TagStore store;
  private final Upstreams upstreams;
  private final BlockingTaskExecutor blocking;

  public TagLister(TagStore store, Upstreams upstreams, BlockingTaskExecutor blocking) {
    this.store = store;
    this.upstreams = upstreams;
    this.blocking = blocking;
  }

  /**
   * A page of tags.
   *
   * @param body the JSON answer, as the upstream sent it
   * @param next the query ({@code n=..&last=..}) of the next page, or null on the last page
   * @param stale whether the upstream failed and this is the last answer seen
   */
  @SuppressWarnings("ArrayRecordComponent") // A view of bytes read once; never changed.
  public record Page(byte[] body, @Nullable String next, boolean stale) {}

  /** The tags of {@code target}, from {@code query}'s {@code n} and {@code last}. */
  public CompletableFuture<Page> list(Target target, QueryParams query) {
    QueryParamsBuilder q = QueryParams.builder();
    Optional.ofNullable(query.get("n")).ifPresent(n -> q.add("n", n));
    Optional.ofNullable(query.get("last")).ifPresent(l -> q.add("last", l));
    String pageQuery = q.build().toQueryString();
    if (target.isLocal()) {
      return CompletableFuture.supplyAsync(() -> local(target, query), blocking);
    }
    String key = Digest.sha256(pageQuery.getBytes(StandardCharsets.UTF_8)).hex();
    UpstreamCall call =
        UpstreamCall.pull(
            HttpMethod.GET,
            target.repository().value(),
            "tags/list" + (pageQuery.isEmpty() ? "" : "?" + pageQuery),
            List.of(),
            ManifestResolver.MAX_MANIFEST_BYTES,
            "list tags of " + target);
    UpstreamClient client = upstreams.client(target);
    return client
        .fetch(call)
        .handleAsync(
            (res, e) -> {
              RegistryException failure =
                  e != null
                      ? UpstreamFailure.of(call, e)
                      : res.status().code() == 200
                          ? null
                          : UpstreamFailure.answered(
                              call, res, client.host(), OciError.NAME_UNKNOWN);
              if (failure == null) {
                return fresh(target, key, res, query);
              }
              if (UpstreamFailure.retry(failure) != UpstreamFailure.Retry.AGAIN) {
                throw failure;
              }
              return stale(target, key, query).orElseThrow(() -> failure);
            },
            blocking);
  }

  /** The tags pushed to a local repository, paged by {@code n} and {@code last}. */
  private Page local(Target target, QueryParams query) {
    try {
      List<String> tags = store.tags(target.registry(), target.repository().value());
      if (tags.isEmpty()) {
        throw OciError.NAME_UNKNOWN.with("local repository " + target + " has no tags");
      }
      com.fasterxml.jackson.databind.node.ObjectNode body = JSON.createObjectNode();
      body.put("name", target.repository().value());
      tags.forEach(body.putArray("tags")::add);
      return TagPages.page(JSON.writeValueAsBytes(body), null, query, false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Page fresh(Target target, String key, AggregatedHttpResponse res, QueryParams query) {
    byte[] body = res.content().array();
    String link = res.headers().get(HttpHeaderNames.LINK);
    try {
      store.putList(target.registry(), target.repository().value(), key, new TagList(body, link));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return TagPages.page(body, link, query, false);
  }

  private Optional<Page> stale(Target target, String key, QueryParams query) {
    try {
      return store
          .getList(target.registry(), target.repository().value(), key)
          .map(l -> TagPages.page(l.body(), l.link(), query, true));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
