package dev.berth.bench;

import java.util.List;
import java.util.Map;

/**
 * What Berth aims for on one metric: a ratio to a peer measured in the same run, or an absolute
 * bound. Evaluated on medians, except {@link Kind#EXACTLY}, which every run must meet. The runs
 * judged are {@code own}'s: Berth's, or those of Berth on the shared backends.
 */
record Target(String metric, Kind kind, double bound, String peer, String own) {
  Target(String metric, Kind kind, double bound, String peer) {
    this(metric, kind, bound, peer, Lab.BERTH);
  }

  enum Kind {
    RATIO_AT_MOST,
    RATIO_AT_LEAST,
    AT_MOST,
    MAX_AT_MOST,
    EXACTLY
  }

  /** The targets of the published benchmark. */
  static List<Target> all() {
    return List.of(
        new Target("warm-1.wall", Kind.RATIO_AT_MOST, 1.05, Lab.NGINX),
        new Target("warm-1.cpu", Kind.RATIO_AT_MOST, 1.2, Lab.NGINX),
        new Target("warm-16.cpu", Kind.RATIO_AT_MOST, 1.2, Lab.NGINX),
        new Target("warm-16.rss", Kind.MAX_AT_MOST, 400, null),
        new Target("cold-1.wall", Kind.RATIO_AT_MOST, 1.1, Lab.DISTRIBUTION),
        new Target("fanin-8.upstream-bytes", Kind.EXACTLY, 1, null),
        new Target("fanin-8.wall", Kind.RATIO_AT_MOST, 0.5, Lab.PROXY),
        new Target("fanin-64.upstream-bytes", Kind.EXACTLY, 1, null),
        new Target("fanin-64.rss", Kind.MAX_AT_MOST, 400, null),
        new Target("manifest-digest-get.rate", Kind.RATIO_AT_LEAST, 15, Lab.PROXY),
        new Target("manifest-tag-get.rate", Kind.RATIO_AT_LEAST, 40, Lab.PROXY),
        new Target("startup.ready", Kind.AT_MOST, 2, null),
        new Target("push-sync.wall", Kind.RATIO_AT_MOST, 1.3, Lab.DISTRIBUTION),
        new Target("warm-1.wall", Kind.RATIO_AT_MOST, 1.1, Lab.BERTH, Lab.SHARED));
  }

  /** The target as the report states it. */
  String text(Metric.Unit unit) {
    String peerName = peer == null ? "" : " × " + Report.name(peer);
    String whose = own.equals(Lab.BERTH) ? "" : Report.name(own) + ": ";
    return whose
        + switch (kind) {
          case RATIO_AT_MOST -> "≤ " + bound + peerName;
          case RATIO_AT_LEAST -> "≥ " + bound + peerName;
          case AT_MOST -> "≤ " + unit.format(bound) + " " + unit.symbol();
          case MAX_AT_MOST -> "≤ " + unit.format(bound) + " " + unit.symbol() + " in every run";
          case EXACTLY -> "exactly " + unit.format(bound) + " " + unit.symbol() + " in every run";
        };
  }

  /** Whether Berth's runs in {@code runs} (system to values) meet it. */
  boolean isMet(Map<String, List<Double>> runs) {
    List<Double> berth = runs.get(own);
    if (berth == null || berth.isEmpty()) {
      return false;
    }
    Stats own = Stats.of(berth);
    return switch (kind) {
      case RATIO_AT_MOST -> own.median() / peerMedian(runs) <= bound;
      case RATIO_AT_LEAST -> own.median() / peerMedian(runs) >= bound;
      case AT_MOST -> own.median() <= bound;
      case MAX_AT_MOST -> own.max() <= bound;
      case EXACTLY -> own.min() == bound && own.max() == bound;
    };
  }

  private double peerMedian(Map<String, List<Double>> runs) {
    List<Double> p = runs.get(peer);
    return p == null || p.isEmpty() ? Double.NaN : Stats.of(p).median();
  }
}
