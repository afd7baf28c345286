package dev.berth.bench;

import java.util.List;

/** Median, minimum and maximum of a system's runs. */
record Stats(double median, double min, double max, int runs) {
  static Stats of(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = v.length;
    double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    return new Stats(median, v[0], v[n - 1], n);
  }
}
