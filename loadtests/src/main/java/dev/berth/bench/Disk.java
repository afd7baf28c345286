package dev.berth.bench;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** The machine's disk, which every system of the benchmark writes to. */
final class Disk {
  private Disk() {}

  /** Writes out everything the kernel holds unwritten ({@code sync}), so a run starts clean. */
  static void sync() {
    try {
      Process p = new ProcessBuilder("sync").inheritIO().start();
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new BenchException("sync failed");
      }
    } catch (IOException e) {
      throw new BenchException("cannot run sync: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted", e);
    }
  }
}
