package dev.berth.bench;

import java.util.List;

/**
 * A blob no proxy holds, fetched by {@code clients} clients at once: wall time, and what the
 * upstream sent for it (bytes as a multiple of the blob, and requests). With one client the
 * baseline is the same blob straight from the upstream; with several, Distribution's proxy. A Berth
 * on the shared backends holds what the database accounts in memory, so it is made cold by deleting
 * the blob's files and row and starting a new process, warmed up by another blob from cold.
 */
final class ColdBlob implements Scenario {
  private static final int VERIFIED = 4;

  private final Lab lab;
  private final Blob blob;
  private final int clients;
  private final Metric wall;
  private final Metric bytes;
  private final Metric requests;
  private final Metric rss;

  ColdBlob(Lab lab, Blob blob, int clients) {
    this.lab = lab;
    this.blob = blob;
    this.clients = clients;
    String id = clients == 1 ? "cold-1" : "fanin-" + clients;
    String what =
        (clients == 1 ? "cold " : "fan-in, " + clients + " clients on one cold ")
            + Transfers.size(blob.size())
            + (clients == 1 ? ", 1 client" : "");
    this.wall = new Metric(id + ".wall", what + ", wall", Metric.Unit.SECONDS);
    this.bytes =
        new Metric(
            id + ".upstream-bytes", what + ", bytes the upstream sent", Metric.Unit.BLOB_MULTIPLE);
    this.requests =
        new Metric(
            id + ".upstream-requests", what + ", upstream GETs and HEADs", Metric.Unit.REQUESTS);
    this.rss = new Metric(id + ".rss", what + ", peak RSS", Metric.Unit.MIB);
  }

  @Override
  public String title() {
    return wall.title();
  }

  @Override
  public List<String> systems() {
    return clients == 1
        ? lab.measured(List.of(Lab.BERTH, Lab.SHARED, Lab.PROXY, Lab.DISTRIBUTION))
        : lab.measured(List.of(Lab.BERTH, Lab.PROXY));
  }

  @Override
  public void check(String system) {
    if (system.equals(Lab.SHARED)) {
      coldRestart();
    } else {
      evict(system);
    }
    // The timed runs check every client's status and length; hashing every body of 64 would take
    // longer than the runs, so a few clients at once are hashed here, from a cold start.
    Transfers.verify(lab.blobUrl(system, blob), Math.min(clients, VERIFIED), blob);
  }

  /**
   * Each run on a Berth is on a process of its own (see {@link WarmBlob#prepare}), which has
   * fetched the blob once from cold before: the run measures the path, not the JIT compiling it.
   */
  @Override
  public void prepare(String system) {
    if (system.equals(Lab.SHARED)) {
      coldRestart();
      Transfers.fetch(lab.blobUrl(system, warmUp()), 1, warmUp());
    } else if (Lab.isBerth(system)) {
      lab.berth(system).restart();
      evict(system);
      Transfers.fetch(lab.blobUrl(system, blob), 1, blob);
    }
  }

  /** The blob a new Berth on the shared backends fetches from cold before the measured run. */
  private Blob warmUp() {
    return blob.equals(lab.data.many) ? lab.data.cold : lab.data.many;
  }

  /** A new process of the Berth on the shared backends, for which the blob and warm-up are cold. */
  private void coldRestart() {
    BerthServer shared = lab.berth(Lab.SHARED);
    Evictions.awaitSettled(shared);
    shared.forget(blob.digest());
    shared.forget(warmUp().digest());
    shared.restart();
  }

  @Override
  public void run(String system, Results results) {
    if (!system.equals(Lab.SHARED)) {
      evict(system);
    }
    // Distribution's proxy does not force what it stored to disk: without this, the kernel would
    // write it back during the next system's run.
    Disk.sync();
    Proc server = lab.server(system).proc();
    server.resetPeakRss();
    AccessLog.Mark mark = lab.upstream.mark();
    long start = System.nanoTime();
    List<Curl.Transfer> done = Transfers.fetch(lab.blobUrl(system, blob), clients, blob);
    results.add(wall, system, (System.nanoTime() - start) / 1e9);
    if (system.equals(Lab.DISTRIBUTION)) {
      return;
    }
    // With small blobs, clients that start after the download has finished are hits.
    if (Lab.isBerth(system) && done.stream().noneMatch(t -> t.cache().equals("miss"))) {
      throw new BenchException("Berth answered a cold blob from its cache: " + done);
    }
    // What a proxy does after its clients are served (Distribution's proxy fetches the blob again
    // to store it) is counted as its own, and does not run into the next system's run.
    Cache cache = lab.cache(system).orElseThrow();
    Evictions.awaitStored(cache, blob.digest());
    results.add(rss, system, Transfers.mib(server.peakRssBytes()));
    AccessLog.Traffic sent = mark.traffic(blob.digest(), cache.upstreamAgent());
    results.add(bytes, system, sent.bytesSent() / (double) blob.size());
    results.add(requests, system, sent.gets() + sent.heads());
  }

  private void evict(String system) {
    lab.cache(system)
        .ifPresent(
            cache -> {
              lab.evictions.evict(cache, blob.digest());
              lab.evictions.fetched(cache, blob.digest());
            });
  }
}
