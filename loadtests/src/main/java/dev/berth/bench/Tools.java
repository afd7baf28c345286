package dev.berth.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The programs the benchmark runs, each from a Debian package, found on {@code PATH}. */
final class Tools {
  /** Program name to the Debian package that provides it. */
  private static final Map<String, String> PACKAGES =
      Map.of(
          "docker-registry", "docker-registry",
          "nginx", "nginx",
          "wrk", "wrk",
          "curl", "curl");

  private Tools() {}

  /** Fails naming every missing program and the package to install for it. */
  static void requireAll() {
    List<String> missing = new ArrayList<>();
    PACKAGES.forEach(
        (program, pkg) -> {
          if (find(program) == null) {
            missing.add(program + " (apt-get install " + pkg + ")");
          }
        });
    if (!missing.isEmpty()) {
      throw new BenchException("missing programs: " + String.join(", ", missing));
    }
  }

  /** The absolute path of {@code program}, or null. */
  static String find(String program) {
    List<String> dirs =
        new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
    // nginx lives in sbin, which a non-login PATH may lack.
    dirs.addAll(List.of("/usr/sbin", "/sbin"));
    for (String dir : dirs) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, program);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  /** As {@link #find}, failing when it is missing. */
  static String path(String program) {
    String p = find(program);
    if (p == null) {
      throw new BenchException("missing program: " + program);
    }
    return p;
  }
}
