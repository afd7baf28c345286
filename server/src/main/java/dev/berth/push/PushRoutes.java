package dev.berth.push;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.berth.errors.OciError;
import dev.berth.errors.RegistryException;
import dev.berth.oci.Digest;
import dev.berth.oci.ManifestReference;
import dev.berth.oci.MediaTypes;
import dev.berth.pull.ManifestResolver;
import dev.berth.pull.Membership;
import dev.berth.pull.ReferrersLookup;
import dev.berth.routing.RegistryRoute;
import dev.berth.routing.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Manifest pushes ({@code PUT /v2/<name>/manifests/<reference>}), stored byte-exact and forwarded
 * for an upstream's repository, and the referrers API. Thread-safe.
 */
public final class PushRoutes {
  private final ManifestPush manifests;
  private final Forwarding forwarding;
  private final DeleteRoutes deletes;
  private final ReferrersLookup referrers;
  private final Membership membership;
  private final Executor blocking;

  public PushRoutes(
      ManifestPush manifests,
      Forwarding forwarding,
      DeleteRoutes deletes,
      ReferrersLookup referrers,
      Membership membership,
      Executor blocking) {
    this.manifests = manifests;
    this.forwarding = forwarding;
    this.deletes = deletes;
    this.referrers = referrers;
    this.membership = membership;
    this.blocking = blocking;
  }

  /** Refuses a push to {@code target} unless it may be pushed to. */
  public static void checkPushable(Target target, HttpMethod method) {
    if (target.isLocal()) {
      return;
    }
    if (!target.upstreamConfig().push()) {
      throw OciError.DENIED.with(
          "pushes to " + target.registry() + " are not enabled (upstreams[].push)");
    }
  }

  /** PUT /v2/&lt;name&gt;/manifests/&lt;reference&gt; */
  public HttpResponse putManifest(ServiceRequestContext ctx, HttpRequest req, RegistryRoute route) {
    checkPushable(route.target(), ctx.method());
    ManifestReference ref = route.reference().manifestOr(OciError.MANIFEST_INVALID);
    String contentType = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
    long limit = ManifestResolver.MAX_MANIFEST_BYTES;
    ctx.setMaxRequestLength(limit);
    if (req.headers().contentLength() > limit) {
      req.abort();
      throw tooLarge(limit);
    }
    return HttpResponse.of(
        req.aggregate()
            .exceptionally(
                e -> {
                  Throwable cause =
                      e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
                  if (cause instanceof com.linecorp.armeria.common.ContentTooLargeException) {
                    throw tooLarge(limit);
                  }
                  throw new java.util.concurrent.CompletionException(cause);
                })
            .thenApplyAsync(
                agg -> manifests.parse(route.target(), ref, contentType, agg.content().array()),
                blocking)
            .thenCompose(parsed -> confirmNamed(route.target(), parsed))
            .thenApplyAsync(parsed -> manifests.store(route.target(), ref, parsed), blocking)
            .thenComposeAsync(
                stored -> {
                  if (route.target().isLocal()) {
                    deletes.restore(route.target(), stored.manifest().digest());
                    Digest subject = stored.subject();
                    if (subject != null) {
                      // This repository serves the referrers API for the subject.
                      ctx.addAdditionalResponseHeader("oci-subject", subject.toString());
                    }
                    return CompletableFuture.completedFuture(stored.manifest());
                  }
                  // Sync: answered once the upstream has it; async: once it is journaled.
                  return forwarding
                      .submit(route.target(), ref, stored)
                      .thenApply(v -> stored.manifest());
                },
                blocking)
            .thenApply(
                m ->
                    HttpResponse.of(
                        ResponseHeaders.builder(HttpStatus.CREATED)
                            .set(
                                HttpHeaderNames.LOCATION,
                                UploadRoutes.base(ctx, "/manifests/") + "/manifests/" + m.digest())
                            .set("docker-content-digest", m.digest().toString())
                            .contentLength(0)
                            .build())));
  }

  /**
   * What a manifest pushed to upstream repository {@code target} names and Berth does not hold for
   * that repository must be there upstream (a client that skipped an upload because Berth's blob
   * {@code HEAD} found it upstream): asked with the repository's own scope, and the push fails with
   * {@code MANIFEST_BLOB_UNKNOWN} for what the upstream does not confirm. Berth never forwards its
   * own copy of content the repository does not hold.
   */
  private CompletableFuture<ManifestPush.Parsed> confirmNamed(
      Target target, ManifestPush.Parsed parsed) {
    List<CompletableFuture<String>> checks = new ArrayList<>();
    for (Digest d : parsed.missing()) {
      boolean child = parsed.named().manifests().contains(d);
      checks.add(
          membership
              .confirm(target, d, child ? MediaTypes.OCI_MANIFEST : null)
              .exceptionally(
                  e -> {
                    RegistryException r = Forwarder.failure(e);
                    boolean unknown =
                        r.error() == OciError.BLOB_UNKNOWN
                            || r.error() == OciError.MANIFEST_UNKNOWN;
                    throw unknown ? ManifestPush.unknown(List.of(d)) : r;
                  }));
    }
    return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).thenApply(v -> parsed);
  }

  /**
   * GET /v2/&lt;name&gt;/referrers/&lt;digest&gt;[?artifactType=]: an OCI index of the manifests
   * that name that subject: those pushed here for a local repository; for an upstream one, the
   * upstream's referrers API, or its referrers tag schema index.
   */
  public HttpResponse referrers(ServiceRequestContext ctx, RegistryRoute route) {
    Digest subject = route.reference().digestOr(OciError.DIGEST_INVALID);
    String artifactType = ctx.queryParam("artifactType");
    CompletableFuture<ReferrersLookup.Referrers> found =
        route.target().isLocal()
            ? CompletableFuture.supplyAsync(
                () ->
                    new ReferrersLookup.Referrers(
                        manifests.referrersIndex(route.target(), subject, artifactType),
                        artifactType != null),
                blocking)
            : referrers.find(route.target(), subject, artifactType);
    return HttpResponse.of(
        found.thenApply(
            r -> {
              ResponseHeadersBuilder h =
                  ResponseHeaders.builder(HttpStatus.OK)
                      .contentType(
                          com.linecorp.armeria.common.MediaType.parse(
                              "application/vnd.oci.image.index.v1+json"))
                      .contentLength(r.index().length);
              if (r.filtered()) {
                h.set("oci-filters-applied", "artifactType");
              }
              return ctx.method() == HttpMethod.HEAD
                  ? HttpResponse.of(h.build())
                  : HttpResponse.of(
                      h.build(), com.linecorp.armeria.common.HttpData.wrap(r.index()));
            }));
  }

  private static RuntimeException tooLarge(long limit) {
    return OciError.MANIFEST_TOO_LARGE.with("a manifest may be " + limit + " bytes at most");
  }
}
