package dev.berth.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every measured value, by metric and system, in the order they were first recorded. */
final class Results {
  private final Map<Metric, Map<String, List<Double>>> values = new LinkedHashMap<>();
  private final List<String> repeated = new ArrayList<>();

  void add(Metric metric, String system, double value) {
    values
        .computeIfAbsent(metric, m -> new LinkedHashMap<>())
        .computeIfAbsent(system, s -> new ArrayList<>())
        .add(value);
  }

  /** Notes that a run of {@code scenario} on the peer {@code system} failed and was repeated. */
  void repeated(String scenario, String system, String cause) {
    repeated.add(scenario + " on " + system + ": " + cause);
  }

  /** The runs repeated after a peer's error, each as scenario, system and cause. */
  List<String> repeated() {
    return repeated;
  }

  /** Metric to system to its runs' values. */
  Map<Metric, Map<String, List<Double>>> all() {
    return values;
  }

  /** The median of {@code system}'s runs of the metric {@code id}, or NaN when there are none. */
  double median(String id, String system) {
    return values.entrySet().stream()
        .filter(e -> e.getKey().id().equals(id))
        .map(e -> e.getValue().get(system))
        .filter(v -> v != null && !v.isEmpty())
        .mapToDouble(v -> Stats.of(v).median())
        .findFirst()
        .orElse(Double.NaN);
  }
}
