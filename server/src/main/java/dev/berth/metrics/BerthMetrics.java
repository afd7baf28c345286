package dev.berth.metrics;

import com.linecorp.armeria.client.DecoratingHttpClientFunction;
import com.linecorp.armeria.common.logging.RequestLog;
import dev.berth.storage.CacheResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Berth's own meters, registered in one Prometheus registry served at {@code /metrics}.
 * Thread-safe.
 */
public final class BerthMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter bytesServed;
  private final Counter bytesFetched;
  private final Map<String, Counter> cacheCounters = new ConcurrentHashMap<>();

  public BerthMetrics() {
    bytesServed =
        Counter.builder("berth.bytes.served")
            .description("Blob and manifest bytes sent to clients")
            .register(registry);
    bytesFetched =
        Counter.builder("berth.bytes.fetched")
            .description("Blob and manifest bytes received from upstreams")
            .register(registry);
    for (String kind : new String[] {"blob", "manifest"}) {
      for (CacheResult result : CacheResult.values()) {
        cacheCounter(kind, result);
      }
    }
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  /** Counts a cache lookup; {@code result} is {@code hit}, {@code miss} or {@code stale}. */
  public void cacheRequest(String kind, CacheResult result) {
    cacheCounter(kind, result).increment();
  }

  private Counter cacheCounter(String kind, CacheResult result) {
    // Looked up once: registering on every request costs an id and a map lookup per hit.
    return cacheCounters.computeIfAbsent(
        kind + " " + result,
        k ->
            Counter.builder("berth.cache.requests")
                .description("Cache lookups by kind and result")
                .tag("kind", kind)
                .tag("result", result.label())
                .register(registry));
  }

  public void bytesServed(long n) {
    bytesServed.increment((double) n);
  }

  public void bytesFetched(long n) {
    bytesFetched.increment((double) n);
  }

  /**
   * Counts a token request to {@code upstream}: {@code success}, {@code refused} or {@code error}.
   */
  public void tokenRequest(String upstream, String result) {
    Counter.builder("berth.upstream.token.requests")
        .description("Token requests to upstream token servers, by outcome")
        .tag("upstream", upstream)
        .tag("result", result)
        .register(registry)
        .increment();
  }

  /** Reports the age of the oldest token held for {@code upstream}. */
  public void tokenAge(String upstream, java.util.function.DoubleSupplier oldestSeconds) {
    io.micrometer.core.instrument.Gauge.builder(
            "berth.upstream.token.oldest.age", oldestSeconds::getAsDouble)
        .description("Age of the oldest upstream token in use")
        .baseUnit("seconds")
        .tag("upstream", upstream)
        .register(registry);
  }

  /**
   * Reports the forwarding queue of {@code upstream}: forwards pending or in flight, and the age of
   * the oldest of them.
   */
  public void forwardQueue(
      String upstream,
      java.util.function.DoubleSupplier depth,
      java.util.function.DoubleSupplier oldestSeconds) {
    io.micrometer.core.instrument.Gauge.builder("berth.forward.queue.depth", depth::getAsDouble)
        .description("Pushed manifests not yet forwarded to the upstream (pending or in flight)")
        .tag("upstream", upstream)
        .register(registry);
    io.micrometer.core.instrument.Gauge.builder(
            "berth.forward.oldest.pending.age", oldestSeconds::getAsDouble)
        .description("Age of the oldest forward not yet done")
        .baseUnit("seconds")
        .tag("upstream", upstream)
        .register(registry);
  }

  /** Counts blob and manifest bytes sent to {@code upstream} by forwarding. */
  public void bytesForwarded(String upstream, long n) {
    Counter.builder("berth.forward.bytes")
        .description("Blob and manifest bytes forwarded to upstreams")
        .tag("upstream", upstream)
        .register(registry)
        .increment((double) n);
  }

  /**
   * Counts a failed forwarding attempt to {@code upstream}; {@code cause} is the OCI error code the
   * failure maps to, lower case (e.g. {@code denied}, {@code unavailable}).
   */
  public void forwardFailure(String upstream, String cause) {
    Counter.builder("berth.forward.failures")
        .description("Failed forwarding attempts, by cause")
        .tag("upstream", upstream)
        .tag("cause", cause)
        .register(registry)
        .increment();
  }

  /** Counts the data directory's failed writes by cause: {@code no_space} and {@code io}. */
  public void storageWriteFailures(dev.berth.storage.DiskSpace disk) {
    io.micrometer.core.instrument.FunctionCounter.builder(
            "berth.storage.write.failures", disk, d -> (double) d.noSpaceFailures())
        .description("Writes to the data directory that failed or were refused, by cause")
        .tag("cause", "no_space")
        .register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder(
            "berth.storage.write.failures", disk, d -> (double) d.otherFailures())
        .description("Writes to the data directory that failed or were refused, by cause")
        .tag("cause", "io")
        .register(registry);
  }

  /** Reports the pull rate limit {@code upstream} states (Docker Hub); -1 until it says. */
  public void rateLimit(
      String upstream,
      java.util.function.LongSupplier limit,
      java.util.function.LongSupplier remaining) {
    io.micrometer.core.instrument.Gauge.builder(
            "berth.upstream.ratelimit.limit", () -> (double) limit.getAsLong())
        .description("Pulls the upstream allows per window (ratelimit-limit), -1 when unknown")
        .tag("upstream", upstream)
        .register(registry);
    io.micrometer.core.instrument.Gauge.builder(
            "berth.upstream.ratelimit.remaining", () -> (double) remaining.getAsLong())
        .description("Pulls left in the window (ratelimit-remaining), -1 when unknown")
        .tag("upstream", upstream)
        .register(registry);
  }

  /**
   * A client decorator counting each request to {@code upstream} by its final status, and timing it
   * (headers and body) by endpoint.
   */
  public DecoratingHttpClientFunction upstreamCounter(String upstream) {
    return (delegate, ctx, req) -> {
      var unused =
          ctx.log()
              .whenComplete()
              .thenAccept(
                  log -> {
                    String status = status(log);
                    Counter.builder("berth.upstream.requests")
                        .description("Requests sent to upstream registries, by final status")
                        .tag("upstream", upstream)
                        .tag("status", status)
                        .register(registry)
                        .increment();
                    Timer.builder("berth.upstream.request.duration")
                        .description("Upstream requests from start to the body's end, by endpoint")
                        .tag("upstream", upstream)
                        .tag("endpoint", String.valueOf(req.authority()))
                        .tag("status", status)
                        .serviceLevelObjectives(LATENCY_BUCKETS)
                        .register(registry)
                        .record(log.totalDurationNanos(), TimeUnit.NANOSECONDS);
                  });
      return delegate.execute(ctx, req);
    };
  }

  private static final Duration[] LATENCY_BUCKETS = {
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofSeconds(120)
  };

  /** Gauges of the blob store: the bytes it holds now and its budget (0 when it has none). */
  public void storage(LongSupplier blobBytes, long budget) {
    io.micrometer.core.instrument.Gauge.builder(
            "berth.storage.blob.bytes", () -> (double) blobBytes.getAsLong())
        .description("Bytes of blobs held on disk")
        .baseUnit("bytes")
        .register(registry);
    io.micrometer.core.instrument.Gauge.builder("berth.storage.budget", () -> (double) budget)
        .description("The disk budget for blobs (storage.diskBudget), 0 when unlimited")
        .baseUnit("bytes")
        .register(registry);
  }

  private static String status(RequestLog log) {
    int code = log.responseHeaders().status().code();
    return code > 0 && log.responseCause() == null ? Integer.toString(code) : "error";
  }
}
