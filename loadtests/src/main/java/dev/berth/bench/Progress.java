package dev.berth.bench;

import java.io.PrintStream;

/**
 * What the benchmark is doing, on stderr: a line per step, and on a terminal one line rewritten per
 * run, so that a long benchmark shows where it is.
 */
final class Progress {
  private final PrintStream out;
  private final boolean terminal;
  private final long start = System.nanoTime();
  private boolean pending;

  @SuppressWarnings("SystemConsoleNull") // Java 17, where null means no terminal.
  Progress(PrintStream out) {
    this.out = out;
    this.terminal = System.console() != null;
  }

  /** A step that stays on screen. */
  void step(String what) {
    endLine();
    out.printf("[%s] %s%n", elapsed(), what);
  }

  /** A run within a step: rewritten in place on a terminal. */
  void run(String what) {
    if (terminal) {
      out.printf("\r\033[K[%s]   %s", elapsed(), what);
      pending = true;
    } else {
      out.printf("[%s]   %s%n", elapsed(), what);
    }
  }

  private void endLine() {
    if (pending) {
      out.println();
      pending = false;
    }
  }

  private String elapsed() {
    long s = (System.nanoTime() - start) / 1_000_000_000L;
    return String.format("%d:%02d", s / 60, s % 60);
  }
}
