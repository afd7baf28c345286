package dev.berth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.List;

/**
 * An image of one large layer pushed (config, layer, manifest; monolithic uploads) into Berth,
 * which forwards it to the upstream, against the same push straight into the upstream. In sync mode
 * Berth answers the manifest once the upstream has it; in async mode once it is on Berth's disk,
 * the forward following (awaited after the run, untimed). Before each run the upstream's copy is
 * deleted, so that each run uploads every byte.
 */
final class Push implements Scenario {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TAG = "1";

  private final Lab lab;
  private final boolean async;
  private final Metric metric;

  Push(Lab lab, boolean async) {
    this.lab = lab;
    this.async = async;
    String what = "push " + Transfers.size(lab.data.push.size()) + " layer + manifest";
    this.metric =
        async
            ? new Metric(
                "push-async.ack", what + ", async mode, time to acknowledge", Metric.Unit.SECONDS)
            : new Metric(
                "push-sync.wall", what + ", sync mode (forwarded), wall", Metric.Unit.SECONDS);
  }

  @Override
  public String title() {
    return metric.title();
  }

  @Override
  public List<String> systems() {
    return lab.measured(List.of(Lab.BERTH, Lab.SHARED, Lab.DISTRIBUTION));
  }

  @Override
  public void check(String system) {
    push(system);
  }

  @Override
  public void run(String system, Results results) {
    results.add(metric, system, push(system));
  }

  /** One push; its seconds until the manifest PUT was answered. */
  private double push(String system) {
    String upstreamRepo = "bench/push-" + (Lab.isBerth(system) ? "" : "direct-") + mode();
    for (Blob b : List.of(lab.data.push, lab.data.pushConfig)) {
      Pusher.delete(lab.upstream.url(), upstreamRepo, "blobs", b.digest());
    }
    Pusher.delete(lab.upstream.url(), upstreamRepo, "manifests", lab.data.pushImage.digest());
    // Every run starts with nothing waiting to be written: the systems share one disk.
    Disk.sync();
    String base = lab.server(system).url();
    String repo = Lab.isBerth(system) ? host() + "/" + upstreamRepo : upstreamRepo;
    long start = System.nanoTime();
    Pusher.blob(base, repo, lab.data.pushConfig);
    Pusher.blob(base, repo, lab.data.push);
    Pusher.manifest(base, repo, TAG, lab.data.pushImage);
    double seconds = (System.nanoTime() - start) / 1e9;
    if (Lab.isBerth(system)) {
      if (async) {
        awaitForwarded(lab.berth(system));
      }
      Evictions.awaitSettled(lab.berth(system));
    }
    checkUpstreamHolds(upstreamRepo);
    return seconds;
  }

  private String mode() {
    return async ? "async" : "sync";
  }

  private String host() {
    return async ? BerthServer.ASYNC : BerthServer.SYNC;
  }

  private void checkUpstreamHolds(String repo) {
    String base = lab.upstream.url() + "/v2/" + repo;
    HttpResponse<byte[]> m =
        Http.expect(
            Http.send(
                Http.request(base + "/manifests/" + TAG)
                    .header("Accept", Manifest.OCI_MANIFEST)
                    .build()),
            200);
    if (!Digests.of(m.body()).equals(lab.data.pushImage.digest())) {
      throw new BenchException("the upstream holds another manifest under " + repo + ":" + TAG);
    }
    Http.expect(
        Http.send(
            Http.request(base + "/blobs/" + lab.data.push.digest())
                .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody())
                .build()),
        200);
  }

  /**
   * Waits (at most 10 min) until Berth lists no forward as pending or in flight, and none failed.
   */
  private static void awaitForwarded(BerthServer berth) {
    long deadline = System.nanoTime() + 600_000_000_000L;
    while (System.nanoTime() < deadline) {
      JsonNode status = forwarding(berth);
      if (!status.path("failed").isEmpty()) {
        throw new BenchException("Berth failed to forward: " + status.path("failed"));
      }
      if (status.path("pending").isEmpty() && status.path("inFlight").isEmpty()) {
        return;
      }
      Http.sleepMillis(50);
    }
    throw new BenchException("Berth did not forward the async push within 10 min");
  }

  private static JsonNode forwarding(BerthServer berth) {
    byte[] body = Http.get(berth.url() + "/_berth/v1/forwarding", 200).body();
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new BenchException("/_berth/v1/forwarding is not JSON: " + e, e);
    }
  }
}
