package dev.berth.bench;

import java.util.List;

/**
 * One situation measured on several systems in alternation (A B C A B C ...): a first untimed run
 * per system checks the answers (digests, counts), then each measured run records its metrics.
 */
interface Scenario {
  /** What it measures, for the progress lines. */
  String title();

  /** The systems it compares, Berth first. */
  List<String> systems();

  /** An untimed run on {@code system} that fails unless every answer is right. */
  void check(String system);

  /** Untimed work before each measured run on {@code system}; by default none. */
  default void prepare(String system) {}

  /** One measured run on {@code system}, its values recorded in {@code results}. */
  void run(String system, Results results);
}
