package dev.berth.bench;

import java.util.List;

/**
 * A blob every system already holds, fetched by {@code clients} clients at once: wall time, the
 * server's CPU seconds per GiB sent, and its peak resident memory.
 */
final class WarmBlob implements Scenario {
  private static final int WARM_UP = 3;

  private final Lab lab;
  private final Blob blob;
  private final int clients;
  private final Metric wall;
  private final Metric cpu;
  private final Metric rss;

  WarmBlob(Lab lab, int clients) {
    this.lab = lab;
    this.blob = lab.data.warm;
    this.clients = clients;
    String what =
        "warm "
            + Transfers.size(blob.size())
            + ", "
            + clients
            + (clients == 1 ? " client" : " clients");
    this.wall = new Metric("warm-" + clients + ".wall", what + ", wall", Metric.Unit.SECONDS);
    this.cpu =
        new Metric(
            "warm-" + clients + ".cpu",
            what + ", server CPU per GiB",
            Metric.Unit.CPU_SECONDS_PER_GIB);
    this.rss = new Metric("warm-" + clients + ".rss", what + ", peak RSS", Metric.Unit.MIB);
  }

  @Override
  public String title() {
    return wall.title();
  }

  @Override
  public List<String> systems() {
    return lab.measured(List.of(Lab.BERTH, Lab.NGINX, Lab.PROXY));
  }

  @Override
  public void check(String system) {
    String url = lab.blobUrl(system, blob);
    // The proxies fetch it now, if an earlier scenario has not; the digest is checked once held.
    Transfers.fetch(url, 1, blob);
    lab.cache(system).ifPresent(c -> Evictions.awaitStored(c, blob.digest()));
    Transfers.verify(url, 1, blob);
    warmUp(url);
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
