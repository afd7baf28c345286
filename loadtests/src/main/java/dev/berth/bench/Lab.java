package dev.berth.bench;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The systems under measurement and the data they serve, all on 127.0.0.1: Distribution as the
 * upstream, Distribution as a pull-through proxy of it, Berth in front of it, and nginx serving the
 * data set's files; with a baseline launcher, a second Berth (another build) beside the first, so
 * that a change is measured against the build before it in one lab, in alternation; with an s3proxy
 * jar, the same build once more on the shared backends (PostgreSQL and s3proxy). Closing it stops
 * every process it started.
 */
final class Lab implements AutoCloseable {
  static final String BERTH = "berth";
  static final String BASELINE = "berth-baseline";
  static final String SHARED = "berth-shared";
  static final String NGINX = "nginx";
  static final String PROXY = "distribution-proxy";
  static final String DISTRIBUTION = "distribution";

  final Plan plan;
  final Path work;
  private final Map<String, Launcher> launchers = new LinkedHashMap<>();
  final DataSet data;
  final Distribution upstream;
  final Distribution proxy;
  final BerthServer berth;
  private final Optional<BerthServer> baseline;
  private final Optional<BerthServer> shared;
  final Server nginx;
  final Evictions evictions = new Evictions();
  private final Deque<AutoCloseable> started = new ArrayDeque<>();

  private Lab(
      Plan plan,
      Path work,
      Launcher launcher,
      Optional<Launcher> baseline,
      Optional<Path> s3proxy,
      Progress progress) {
    this.plan = plan;
    this.work = work;
    launchers.put(BERTH, launcher);
    baseline.ifPresent(b -> launchers.put(BASELINE, b));
    try {
      progress.step("generating the data set (" + plan.name() + ")");
      this.data = DataSet.create(work.resolve("data"), plan);
      progress.step("starting Distribution (upstream) and pushing the data set");
      this.upstream = keep(Distribution.upstream(DISTRIBUTION, work.resolve("upstream")));
      data.pushTo(upstream.url());
      progress.step("starting Distribution (proxy), Berth and nginx");
      this.proxy = keep(Distribution.proxy(PROXY, work.resolve("proxy"), upstream.url()));
      this.berth =
          keep(
              BerthServer.start(
                  BERTH, launcher, work.resolve("berth"), upstream.url(), Optional.empty()));
      this.baseline =
          baseline.map(
              b ->
                  keep(
                      BerthServer.start(
                          BASELINE, b, work.resolve(BASELINE), upstream.url(), Optional.empty())));
      if (s3proxy.isPresent()) {
        progress.step("starting PostgreSQL, s3proxy and Berth on them");
      }
      this.shared =
          s3proxy.map(
              jar -> {
                SharedBackends backends = keep(SharedBackends.start(work.resolve("backends"), jar));
                return keep(
                    BerthServer.start(
                        SHARED,
                        launcher,
                        work.resolve(SHARED),
                        upstream.url(),
                        Optional.of(backends)));
              });
      this.nginx = keep(Nginx.start(work.resolve("nginx"), data.root()));
    } catch (RuntimeException e) {
      // Nobody gets this lab to close: stop what did start.
      close();
      throw e;
    }
  }

  /**
   * Generates the data set under {@code work} and starts every system; a Berth on the shared
   * backends too when {@code s3proxy} names s3proxy's jar.
   */
  static Lab start(
      Plan plan,
      Path work,
      Launcher launcher,
      Optional<Launcher> baseline,
      Optional<Path> s3proxy,
      Progress progress) {
    return new Lab(plan, work, launcher, baseline, s3proxy, progress);
  }

  /**
   * Whether {@code system} is a Berth: the build measured, its baseline, or it on shared backends.
   */
  static boolean isBerth(String system) {
    return system.equals(BERTH) || system.equals(BASELINE) || system.equals(SHARED);
  }

  /**
   * A scenario's {@code systems} as measured in this lab: the baseline, when there is one, right
   * after Berth; the Berth on shared backends only when there is one.
   */
  List<String> measured(List<String> systems) {
    List<String> out = new ArrayList<>();
    for (String s : systems) {
      if (s.equals(SHARED) && shared.isEmpty()) {
        continue;
      }
      out.add(s);
      if (s.equals(BERTH) && baseline.isPresent()) {
        out.add(BASELINE);
      }
    }
    return out;
  }

  /** The Berth of {@code system}: {@link #BERTH}, {@link #BASELINE} or {@link #SHARED}. */
  BerthServer berth(String system) {
    return switch (system) {
      case BASELINE -> baseline.orElseThrow();
      case SHARED -> shared.orElseThrow();
      default -> berth;
    };
  }

  /** How the Berth of {@code system} is started. */
  Launcher launcher(String system) {
    return java.util.Objects.requireNonNull(
        launchers.get(system.equals(SHARED) ? BERTH : system), system);
  }

  private <T extends AutoCloseable> T keep(T server) {
    started.push(server);
    return server;
  }

  /** The server of {@code system}. */
  Server server(String system) {
    return switch (system) {
      case BERTH, BASELINE, SHARED -> berth(system);
      case NGINX -> nginx;
      case PROXY -> proxy;
      case DISTRIBUTION -> upstream;
      default -> throw new IllegalArgumentException("system: " + system);
    };
  }

  /** The cache of {@code system} when it is a pull-through proxy. */
  Optional<Cache> cache(String system) {
    return switch (system) {
      case BERTH, BASELINE, SHARED -> Optional.of(berth(system));
      case PROXY -> Optional.of(proxy);
      default -> Optional.empty();
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
