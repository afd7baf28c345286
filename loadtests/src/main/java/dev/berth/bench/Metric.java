package dev.berth.bench;

/** A quantity the report shows, one row: its id (for targets and JSON), title and unit. */
record Metric(String id, String title, Unit unit) {
  /** How a metric is measured, and which way is better. */
  enum Unit {
    SECONDS("s", false),
    CPU_SECONDS_PER_GIB("CPU s/GiB", false),
    REQUESTS_PER_SECOND("req/s", true),
    MIB("MiB", false),
    BLOB_MULTIPLE("× blob", false),
    REQUESTS("requests", false);

    private final String symbol;
    private final boolean higherIsBetter;

    Unit(String symbol, boolean higherIsBetter) {
      this.symbol = symbol;
      this.higherIsBetter = higherIsBetter;
    }

    String symbol() {
      return symbol;
    }

    boolean higherIsBetter() {
      return higherIsBetter;
    }

    /** {@code value} as the report prints it. */
    String format(double value) {
      return switch (this) {
        case SECONDS -> value < 10 ? String.format("%.3f", value) : String.format("%.1f", value);
        case CPU_SECONDS_PER_GIB, BLOB_MULTIPLE -> String.format("%.2f", value);
        case REQUESTS_PER_SECOND, MIB, REQUESTS -> String.format("%,.0f", value);
      };
    }
  }
}
