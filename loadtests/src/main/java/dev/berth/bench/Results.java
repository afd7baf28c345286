package dev.berth.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every measured value, by metric and system, in the order they were first recorded. */
final class Results {
  private final Map<Metric, Map<String, List<Double>>> values = new LinkedHashMap<>();

  void add(Metric metric, String system, double value) {
    values
        .computeIfAbsent(metric, m -> new LinkedHashMap<>())
        .computeIfAbsent(system, s -> new ArrayList<>())
        .add(value);
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
