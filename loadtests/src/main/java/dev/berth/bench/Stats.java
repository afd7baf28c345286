package dev.berth.bench;

import java.util.List;

/** Median, minimum and maximum of a system's runs. */
record Stats(double median, double min, double max, int runs) {
  /**
   * Whether two sets of runs agree: each one's median lies inside the other's min–max, which is how
   * a change is told from the machine's own spread.
   */
  static boolean agree(List<Double> a, List<Double> b) {
    Stats x = of(a);
    Stats y = of(b);
    return x.contains(y.median()) && y.contains(x.median());
  }

  boolean contains(double value) {
    return min <= value && value <= max;
  }

  static Stats of(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = v.length;
    double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    return new Stats(median, v[0], v[n - 1], n);
  }
}
