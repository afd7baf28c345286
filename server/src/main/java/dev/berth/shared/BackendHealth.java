package dev.berth.shared;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the shared backends answer, checked in the background (a readiness probe must not wait on
 * a backend that hangs): the failures of the last round, one line per backend. Thread-safe.
 */
final class BackendHealth {
  private static final Logger log = LoggerFactory.getLogger(BackendHealth.class);

  /** One backend's check: returns when it answers, throws when it does not. */
  @FunctionalInterface
  interface Check {
    void run() throws IOException;
  }

  private final Map<String, Check> checks;
  private final Map<String, String> failing = new ConcurrentHashMap<>();

  /** Checks by backend name ({@code database}, {@code object store}), in the order given. */
  BackendHealth(Map<String, Check> checks) {
    this.checks = checks;
  }

  /** Runs every check once. */
  void checkAll() {
    checks.forEach(
        (name, check) -> {
          try {
            check.run();
            if (failing.remove(name) != null) {
              log.info("{} answers again", name);
            }
          } catch (IOException | RuntimeException e) {
            String line = name + " unavailable: " + e.getMessage();
            if (!line.equals(failing.put(name, line))) {
              log.warn("{}", line);
            }
          }
        });
  }

  /** The failures of the last round, in the order of the checks. */
  List<String> problems() {
    List<String> lines = new ArrayList<>();
    checks
        .keySet()
        .forEach(
            name -> {
              String line = failing.get(name);
              if (line != null) {
                lines.add(line);
              }
            });
    return lines;
  }
}
