package dev.berth.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the figures were measured on: CPU, cores, memory, kernel, JVM and each peer's version. */
final class Machine {
  private Machine() {}

  static Map<String, String> describe() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("cpu", cpuModel());
    m.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    m.put("memory", memory());
    m.put("kernel", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    m.put("nginx", firstLine(List.of(Tools.path("nginx"), "-v")));
    m.put("distribution", firstLine(List.of(Tools.path("docker-registry"), "--version")));
    m.put("wrk", firstLine(List.of(Tools.path("wrk"), "--version")));
    m.put("curl", firstLine(List.of(Tools.path("curl"), "--version")));
    return m;
  }

  /** One line for the report's heading. */
  static String summary(Map<String, String> m) {
    return m.get("cpu")
        + ", "
        + m.get("cores")
        + " cores, "
        + m.get("memory")
        + ", "
        + m.get("kernel")
        + ", "
        + m.get("java");
  }

  private static String cpuModel() {
    for (String line : read(Path.of("/proc/cpuinfo")).split("\n")) {
      if (line.startsWith("model name")) {
        return line.substring(line.indexOf(':') + 1).trim();
      }
    }
    return System.getProperty("os.arch");
  }

  private static String memory() {
    for (String line : read(Path.of("/proc/meminfo")).split("\n")) {
      if (line.startsWith("MemTotal:")) {
        long kib = Long.parseLong(line.replaceAll("\\D+", ""));
        return String.format("%.1f GiB", kib / 1048576.0);
      }
    }
    return "?";
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return "";
    }
  }

  private static String firstLine(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      try (InputStream in = p.getInputStream()) {
        String out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor();
        return out.isEmpty() ? "?" : out.lines().findFirst().orElse("?");
      }
    } catch (IOException e) {
      return "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }
}
