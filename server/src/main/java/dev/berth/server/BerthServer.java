package dev.berth.server;

import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.TlsKeyPair;
import com.linecorp.armeria.common.util.BlockingTaskExecutor;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServerPort;
import dev.berth.access.ClientAccess;
import dev.berth.access.TokenService;
import dev.berth.config.BerthConfig;
import dev.berth.errors.OciError;
import dev.berth.http.AccessLog;
import dev.berth.http.OciErrorHandler;
import dev.berth.http.RegistryService;
import dev.berth.metrics.BerthMetrics;
import dev.berth.prefetch.PrefetchSchedule;
import dev.berth.prefetch.PrefetchService;
import dev.berth.prefetch.Prefetcher;
import dev.berth.prefetch.Siblings;
import dev.berth.pull.BlobFetcher;
import dev.berth.pull.ManifestResolver;
import dev.berth.pull.Membership;
import dev.berth.pull.ReferrersLookup;
import dev.berth.pull.TagLister;
import dev.berth.push.DeleteRoutes;
import dev.berth.push.Forwarder;
import dev.berth.push.Forwarding;
import dev.berth.push.ManifestPush;
import dev.berth.push.PushRoutes;
import dev.berth.push.UploadRoutes;
import dev.berth.push.Uploads;
import dev.berth.routing.RouteResolver;
import dev.berth.storage.BlobStore;
import dev.berth.storage.DataDirectory;
import dev.berth.storage.DiskSpace;
import dev.berth.storage.ManifestStore;
import dev.berth.storage.ReferrerStore;
import dev.berth.storage.StoragePaths;
import dev.berth.storage.Stores;
import dev.berth.storage.TagStore;
import dev.berth.upstream.Upstreams;
import dev.berth.watch.FileWatcher;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;

/**
 * A running Berth: the registry API, the admin endpoints and everything behind them, wired from a
 * {@link BerthConfig}. This class only wires; behaviour lives in the packages it composes.
 */
public final class BerthServer implements AutoCloseable {
  private final Server server;
  private final Upstreams upstreams;
  private final AtomicBoolean ready = new AtomicBoolean();

  /** Watches the files Berth rereads when they change (the htpasswd file). */
  private final FileWatcher watcher;

  /** What the registry works on; closed after the server stops. */
  private final Stores stores;

  private BerthServer(BerthConfig config) throws IOException {
    StoragePaths paths = DataDirectory.prepare(config.dataDir());
    BerthMetrics metrics = new BerthMetrics();
    BlockingTaskExecutor blocking = BlockingTaskExecutor.builder().numThreads(64).build();
    this.upstreams = new Upstreams(config, metrics, blocking, System.getenv());
    this.watcher = new FileWatcher(Duration.ofSeconds(5));
    ServerBuilder sb = Server.builder();
    configurePorts(sb, config);
    this.stores = configureRegistryApi(sb, config, paths, metrics, upstreams, blocking, watcher);
    configureAdminApi(sb, metrics, stores);
    this.server = sb.build();
  }

  /** Starts a server for {@code config}, listening once this returns. */
  public static BerthServer start(BerthConfig config) throws IOException {
    BerthServer berth = new BerthServer(config);
    berth.server.start().join();
    berth.ready.set(true);
    return berth;
  }

  private static void configurePorts(ServerBuilder sb, BerthConfig config) {
    InetSocketAddress address =
        new InetSocketAddress(config.listen().host(), config.listen().port());
    if (config.tls() != null) {
      sb.https(address)
          .tls(TlsKeyPair.of(config.tls().key().toFile(), config.tls().certificate().toFile()));
    } else {
      sb.http(address);
    }
    // A quiet period of 0 would stop at once; a positive one waits for requests in flight.
    Duration grace = config.shutdownGrace();
    Duration quiet = grace.compareTo(Duration.ofSeconds(1)) < 0 ? grace : Duration.ofSeconds(1);
    sb.gracefulShutdownTimeout(quiet, grace)
        .idleTimeout(Duration.ofMinutes(2))
        .http1MaxChunkSize(Upstreams.BODY_CHUNK_BYTES)
        .errorHandler(new OciErrorHandler())
        // Registry errors are answers, rendered and logged by OciErrorHandler and the access log.
        .unloggedExceptionsReportInterval(Duration.ZERO)
        .accessLogWriter(AccessLog.writer(), true)
        .decorator(
            (delegate, ctx, req) -> {
              ctx.addAdditionalResponseHeader("docker-distribution-api-version", "registry/2.0");
              return delegate.serve(ctx, req);
            });
  }

  /** The registry API and what is behind it; returns the stores it works on. */
  private static Stores configureRegistryApi(
      ServerBuilder sb,
      BerthConfig config,
      StoragePaths paths,
      BerthMetrics metrics,
      Upstreams upstreams,
      BlockingTaskExecutor blocking,
      FileWatcher watcher)
      throws IOException {
    Stores stores = StorageBackends.open(config, paths, blocking);
    BlobStore blobs = stores.blobs();
    metrics.storage(blobs::totalBytes, config.storage().diskBudget().bytes());
    metrics.storageWriteFailures(blobs.disk());
    TagStore tags = stores.tags();
    ManifestStore manifests = stores.manifests();
    Uploads uploads = new Uploads(stores.uploads(), blobs, blocking, config.storage().uploadTtl());
    var unused =
        blocking.scheduleWithFixedDelay(
            () -> {
              try {
                uploads.expire();
              } catch (IOException e) {
                LoggerFactory.getLogger(BerthServer.class)
                    .warn("cannot expire uploads: {}", e.toString());
              }
            },
            1,
            1,
            TimeUnit.HOURS);
    ReferrerStore referrers = stores.referrers();
    Membership membership = new Membership(stores.members(), upstreams, blocking);
    ClientAccess access = ClientAccess.of(config.auth());
    access.follow(watcher);
    ManifestPush manifestPush =
        new ManifestPush(manifests, tags, blobs, referrers, membership, Clock.systemUTC());
    DeleteRoutes deletes =
        new DeleteRoutes(stores.deletions(), manifests, tags, blobs, referrers, blocking);
    Forwarder forwarder =
        new Forwarder(
            upstreams, blobs, manifests, metrics, blocking, config.forwarding().parallelUploads());
    Forwarding forwarding =
        new Forwarding(
            config,
            forwarder,
            manifestPush,
            manifests,
            blobs,
            stores.journal(),
            metrics,
            blocking,
            blocking,
            Clock.systemUTC());
    forwarding.start();
    RouteResolver routes = new RouteResolver(config);
    ManifestResolver manifestResolver =
        new ManifestResolver(
            manifests, membership, tags, upstreams, metrics, blocking, Clock.systemUTC());
    BlobFetcher blobFetcher = new BlobFetcher(blobs, membership, upstreams, metrics, blocking);
    Prefetcher prefetcher =
        new Prefetcher(
            routes,
            manifestResolver,
            blobFetcher,
            blobs,
            blocking,
            upstreams,
            config.prefetch().reservePulls());
    sb.service("/_berth/v1/prefetch", new PrefetchService(prefetcher, access));
    if (config.auth() != null) {
      sb.service(ClientAccess.TOKEN_PATH, new TokenService(access));
    }
    new PrefetchSchedule(config.prefetch(), prefetcher).start(blocking);
    RegistryService registry =
        new RegistryService(
            routes,
            manifestResolver,
            blobFetcher,
            new TagLister(tags, upstreams, blocking),
            new UploadRoutes(uploads, forwarder, deletes, membership, routes, access),
            new PushRoutes(
                manifestPush,
                forwarding,
                deletes,
                new ReferrersLookup(upstreams),
                membership,
                blocking),
            deletes,
            access,
            new Siblings(config.cache().siblingPlatforms(), prefetcher),
            metrics);
    // Blobs are large and slow clients are normal: no total timeout, only idle ones. No length
    // cap here either: Armeria would refuse a monolithic upload by its Content-Length before the
    // service runs; manifest PUTs set their own cap.
    sb.route().pathPrefix("/v2").requestTimeout(Duration.ZERO).maxRequestLength(0).build(registry);
    sb.blockingTaskExecutor(blocking, true);
    sb.service(
        "/_berth/v1/forwarding",
        (ctx, req) -> {
          if (ctx.method() != HttpMethod.GET && ctx.method() != HttpMethod.HEAD) {
            throw OciError.UNSUPPORTED.with(ctx.method() + " on " + ctx.path() + "; use GET");
          }
          return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, forwarding.statusJson());
        });
    return stores;
  }

  private void configureAdminApi(ServerBuilder sb, BerthMetrics metrics, Stores stores) {
    sb.service(
        "/metrics",
        (ctx, req) ->
            HttpResponse.of(
                HttpStatus.OK,
                MediaType.parse("text/plain; version=0.0.4; charset=utf-8"),
                metrics.scrape()));
    sb.service(
        "/healthz", (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "ok"));
    // Upstream credential problems are detail, not unreadiness: cached content is still served.
    // A shared backend that does not answer is unreadiness: a replica that cannot reach its state
    // should leave the load balancer.
    sb.service(
        "/readyz",
        (ctx, req) -> {
          if (!ready.get()) {
            return HttpResponse.of(
                HttpStatus.SERVICE_UNAVAILABLE, MediaType.PLAIN_TEXT_UTF_8, "draining");
          }
          List<String> down = stores.problems().get();
          return HttpResponse.of(
              down.isEmpty() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE,
              MediaType.PLAIN_TEXT_UTF_8,
              String.join("\n", readiness(down, upstreams.problems(), stores.blobs().disk()))
                  + "\n");
        });
  }

  private static List<String> readiness(List<String> down, List<String> problems, DiskSpace disk) {
    List<String> lines = new ArrayList<>();
    lines.add(down.isEmpty() ? "ready" : "not ready");
    lines.addAll(down);
    lines.addAll(problems);
    disk.problem().ifPresent(lines::add);
    return lines;
  }

  /** The port the registry API listens on (useful with port 0). */
  public int port() {
    return server.activePorts().values().stream()
        .map(ServerPort::localAddress)
        .mapToInt(InetSocketAddress::getPort)
        .findFirst()
        .orElseThrow();
  }

  /** Stops accepting, lets transfers in flight finish within {@code shutdownGrace}, then stops. */
  @Override
  public void close() {
    ready.set(false);
    server.stop().join();
    watcher.close();
    upstreams.close();
    try {
      stores.resources().close();
    } catch (IOException e) {
      LoggerFactory.getLogger(BerthServer.class).warn("cannot close the stores: {}", e.toString());
    }
  }
}
