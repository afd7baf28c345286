package dev.berth.bench;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The systems under measurement and the data they serve, all on 127.0.0.1: Distribution as the
 * upstream, Distribution as a pull-through proxy of it, Berth in front of it, and nginx serving the
 * data set's files. Closing it stops every process it started.
 */
final class Lab implements AutoCloseable {
  static final String BERTH = "berth";
  static final String NGINX = "nginx";
  static final String PROXY = "distribution-proxy";
  static final String DISTRIBUTION = "distribution";

  final Plan plan;
  final Path work;
  final Launcher launcher;
  final DataSet data;
  final Distribution upstream;
  final Distribution proxy;
  final BerthServer berth;
  final Server nginx;
  final Evictions evictions = new Evictions();
  private final Deque<AutoCloseable> started = new ArrayDeque<>();

  private Lab(Plan plan, Path work, Launcher launcher, Progress progress) {
    this.plan = plan;
    this.work = work;
    this.launcher = launcher;
    try {
      progress.step("generating the data set (" + plan.name() + ")");
      this.data = DataSet.create(work.resolve("data"), plan);
      progress.step("starting Distribution (upstream) and pushing the data set");
      this.upstream = keep(Distribution.upstream(DISTRIBUTION, work.resolve("upstream")));
      data.pushTo(upstream.url());
      progress.step("starting Distribution (proxy), Berth and nginx");
      this.proxy = keep(Distribution.proxy(PROXY, work.resolve("proxy"), upstream.url()));
      this.berth = keep(BerthServer.start(BERTH, launcher, work.resolve("berth"), upstream.url()));
      this.nginx = keep(Nginx.start(work.resolve("nginx"), data.root()));
    } catch (RuntimeException e) {
      // Nobody gets this lab to close: stop what did start.
      close();
      throw e;
    }
  }

  /** Generates the data set under {@code work} and starts every system. */
  static Lab start(Plan plan, Path work, Launcher launcher, Progress progress) {
    return new Lab(plan, work, launcher, progress);
  }

  private <T extends AutoCloseable> T keep(T server) {
    started.push(server);
    return server;
  }

  /** The server of {@code system}. */
  Server server(String system) {
    return switch (system) {
      case BERTH -> berth;
      case NGINX -> nginx;
      case PROXY -> proxy;
      case DISTRIBUTION -> upstream;
      default -> throw new IllegalArgumentException("system: " + system);
    };
  }

  /** The cache of {@code system} when it is a pull-through proxy. */
  java.util.Optional<Cache> cache(String system) {
    return switch (system) {
      case BERTH -> java.util.Optional.of(berth);
      case PROXY -> java.util.Optional.of(proxy);
      default -> java.util.Optional.empty();
    };
  }

  /** The URL of blob {@code b} on {@code system}: the registry API, or nginx's file. */
  String blobUrl(String system, Blob b) {
    return system.equals(NGINX)
        ? nginx.url() + "/blobs/" + b.hex()
        : server(system).url() + "/v2/" + DataSet.REPO + "/blobs/" + b.digest();
  }

  @Override
  public void close() {
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception e) {
        System.err.println("bench: cannot stop a server: " + e);
      }
    }
  }
}
