package dev.berth.bench;

import java.time.Duration;

/**
 * What a benchmark run measures: how many runs per system, and the sizes and client counts of the
 * scenarios. {@link #full()} is the published benchmark; {@link #smoke()} the same scenarios with
 * small blobs and short runs, which the test suite runs so that the benchmark cannot rot.
 */
record Plan(
    String name,
    int runs,
    long warmBytes,
    int warmClients,
    long coldBytes,
    int fanInClients,
    long manyBytes,
    int manyClients,
    long pushBytes,
    Duration manifestRun,
    int manifestConnections) {

  private static final long MIB = 1L << 20;

  static Plan full() {
    return new Plan(
        "full",
        7,
        1024 * MIB,
        16,
        1024 * MIB,
        8,
        256 * MIB,
        64,
        1024 * MIB,
        Duration.ofSeconds(2),
        32);
  }

  static Plan smoke() {
    return new Plan(
        "smoke", 2, 4 * MIB, 4, 8 * MIB, 8, 2 * MIB, 16, 4 * MIB, Duration.ofSeconds(1), 8);
  }

  /** The plan as the JSON report states it. */
  java.util.Map<String, Object> describe() {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("name", name);
    m.put("runs", runs);
    m.put("warmBytes", warmBytes);
    m.put("warmClients", warmClients);
    m.put("coldBytes", coldBytes);
    m.put("fanInClients", fanInClients);
    m.put("manyBytes", manyBytes);
    m.put("manyClients", manyClients);
    m.put("pushBytes", pushBytes);
    m.put("manifestRunSeconds", manifestRun.toSeconds());
    m.put("manifestConnections", manifestConnections);
    return m;
  }

  Plan withRuns(int runs) {
    return new Plan(
        name,
        runs,
        warmBytes,
        warmClients,
        coldBytes,
        fanInClients,
        manyBytes,
        manyClients,
        pushBytes,
        manifestRun,
        manifestConnections);
  }
}
