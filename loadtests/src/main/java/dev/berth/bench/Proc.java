package dev.berth.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * A server process the benchmark started, with what {@code /proc} tells of it and its children: CPU
 * time and peak resident memory. Stopping it stops its children too (nginx's workers), so that
 * nothing is left running. Not thread-safe.
 */
final class Proc implements AutoCloseable {
  /** Clock ticks per second of {@code /proc/<pid>/stat}: USER_HZ, 100 on Linux. */
  private static final double TICKS_PER_SECOND = 100.0;

  private final String name;
  private final Process process;
  private final Path log;

  private Proc(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Starts {@code command}, its output going to {@code log}. */
  static Proc start(String name, List<String> command, Path log) {
    return start(name, command, java.util.Map.of(), log);
  }

  /**
   * Starts {@code command} with {@code env} added to the environment, its output to {@code log}.
   */
  static Proc start(
      String name, List<String> command, java.util.Map<String, String> env, Path log) {
    try {
      ProcessBuilder b =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      b.environment().putAll(env);
      return new Proc(name, b.start(), log);
    } catch (IOException e) {
      throw new BenchException("cannot start " + name + " (" + command.get(0) + "): " + e, e);
    }
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  Path log() {
    return log;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** CPU seconds (user and system) the process and its children have used since they started. */
  double cpuSeconds() {
    return pids().mapToDouble(Proc::cpuTicks).sum() / TICKS_PER_SECOND;
  }

  /** The peak resident set since the last {@link #resetPeakRss()}, in bytes, over the tree. */
  long peakRssBytes() {
    return pids().map(pid -> statusKib(pid, "VmHWM:") * 1024).sum();
  }

  /** Starts a new peak-RSS window: {@code VmHWM} drops to the current resident set. */
  void resetPeakRss() {
    pids()
        .forEach(
            pid -> {
              try {
                Files.writeString(Path.of("/proc", Long.toString(pid), "clear_refs"), "5");
              } catch (IOException e) {
                throw new BenchException("cannot reset the peak RSS of " + name + ": " + e, e);
              }
            });
  }

  /** The last lines of the process's output, for error messages. */
  String tail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no output: " + e + ")";
    }
  }

  private LongStream pids() {
    return tree().filter(ProcessHandle::isAlive).mapToLong(ProcessHandle::pid);
  }

  private Stream<ProcessHandle> tree() {
    return Stream.concat(Stream.of(process.toHandle()), process.toHandle().descendants());
  }

  private static double cpuTicks(long pid) {
    String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
    if (stat.isEmpty()) {
      return 0;
    }
    // Fields after the command name, which is in parentheses and may hold spaces.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  private static long statusKib(long pid, String key) {
    for (String line : read(Path.of("/proc", Long.toString(pid), "status")).split("\n")) {
      if (line.startsWith(key)) {
        return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
      }
    }
    return 0;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      return "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SIGKILL to the tree, waiting (at most 30 s) until the process is gone. */
  void kill() {
    List<ProcessHandle> tree = tree().toList();
    tree.forEach(ProcessHandle::destroyForcibly);
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new BenchException(name + " did not end within 30 s of SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted while stopping " + name, e);
    }
  }

  /** SIGTERM to the tree, then SIGKILL to whatever is left after 20 s. */
  @Override
  public void close() {
    List<ProcessHandle> tree = tree().toList();
    tree.forEach(ProcessHandle::destroy);
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        tree.forEach(ProcessHandle::destroyForcibly);
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      tree.forEach(ProcessHandle::destroyForcibly);
    }
    tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }
}
