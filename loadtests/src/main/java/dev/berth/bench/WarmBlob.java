package dev.berth.bench;

import java.util.List;

/**
 * A blob every system already holds, fetched by {@code clients} clients at once: wall time, the
 * server's CPU seconds per GiB sent, and its peak resident memory. From the object store, the same
 * on Berth on the shared backends with its local copy deleted before each run, so that each run
 * reads the object (while Berth copies it into the local tier again, as it does).
 */
final class WarmBlob implements Scenario {
  private static final int WARM_UP = 3;

  private final Lab lab;
  private final Blob blob;
  private final int clients;
  private final boolean fromObjectStore;
  private final Metric wall;
  private final Metric cpu;
  private final Metric rss;

  WarmBlob(Lab lab, int clients) {
    this(lab, clients, false);
  }

  private WarmBlob(Lab lab, int clients, boolean fromObjectStore) {
    this.lab = lab;
    this.blob = lab.data.warm;
    this.clients = clients;
    this.fromObjectStore = fromObjectStore;
    String what =
        "warm "
            + Transfers.size(blob.size())
            + (fromObjectStore ? " from the object store (local tier empty)" : "")
            + ", "
            + clients
            + (clients == 1 ? " client" : " clients");
    String id = (fromObjectStore ? "warm-object-" : "warm-") + clients;
    this.wall = new Metric(id + ".wall", what + ", wall", Metric.Unit.SECONDS);
    this.cpu =
        new Metric(id + ".cpu", what + ", server CPU per GiB", Metric.Unit.CPU_SECONDS_PER_GIB);
    this.rss = new Metric(id + ".rss", what + ", peak RSS", Metric.Unit.MIB);
  }

  /** The blob read from the object store by a Berth on the shared backends. */
  static WarmBlob fromObjectStore(Lab lab, int clients) {
    return new WarmBlob(lab, clients, true);
  }

  @Override
  public String title() {
    return wall.title();
  }

  @Override
  public List<String> systems() {
    return fromObjectStore
        ? lab.measured(List.of(Lab.SHARED))
        : lab.measured(List.of(Lab.BERTH, Lab.SHARED, Lab.NGINX, Lab.PROXY));
  }

  @Override
  public void check(String system) {
    String url = lab.blobUrl(system, blob);
    // The proxies fetch it now, if an earlier scenario has not; the digest is checked once held.
    Transfers.fetch(url, 1, blob);
    lab.cache(system).ifPresent(c -> Evictions.awaitStored(c, blob.digest()));
    Transfers.verify(url, 1, blob);
    warmUp(url);
    if (fromObjectStore) {
      dropLocalCopy(lab.berth(system));
      Transfers.verify(url, 1, blob);
    }
  }

  /**
   * Each run on a Berth is on a process of its own, warmed up: one JVM's heap settles at one of
   * several sizes and stays there, so the runs of one process agree on peak RSS with each other and
   * not with a process started later (or with another build's).
   */
  @Override
  public void prepare(String system) {
    if (Lab.isBerth(system)) {
      lab.berth(system).restart();
      warmUp(lab.blobUrl(system, blob));
      if (fromObjectStore) {
        dropLocalCopy(lab.berth(system));
      }
    }
  }

  /**
   * Waits until {@code berth} has its copy of the blob in the local tier and writes nothing, then
   * deletes that copy: the next read comes from the object store.
   */
  private void dropLocalCopy(BerthServer berth) {
    Evictions.awaitStored(berth, blob.digest());
    try {
      java.nio.file.Files.delete(berth.localCopy(blob.digest()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Warm means a server in its stride: a JIT still compiling the path would be measured too. */
  private void warmUp(String url) {
    for (int i = 0; i < WARM_UP; i++) {
      Transfers.fetch(url, 1, blob);
    }
  }

  @Override
  public void run(String system, Results results) {
    Proc server = lab.server(system).proc();
    server.resetPeakRss();
    double cpuBefore = server.cpuSeconds();
    long start = System.nanoTime();
    Transfers.fetch(lab.blobUrl(system, blob), clients, blob);
    double seconds = (System.nanoTime() - start) / 1e9;
    results.add(wall, system, seconds);
    results.add(
        cpu, system, Transfers.cpuPerGib(cpuBefore, server.cpuSeconds(), blob.size() * clients));
    results.add(rss, system, Transfers.mib(server.peakRssBytes()));
  }
}
