package dev.berth.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load generator of the request-rate scenarios: Debian's {@code wrk}, two threads (one per
 * core) and a fixed number of keep-alive connections for a bounded duration.
 */
final class Wrk {
  private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in");
  private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
  private static final Pattern SOCKET = Pattern.compile("Socket errors: (.*)");

  private final Path scripts;

  Wrk(Path scripts) {
    this.scripts = scripts;
  }

  /** What one run gave: requests per second over the run, and how many requests were made. */
  record Rate(double perSecond, long requests) {}

  /**
   * Runs {@code method} on {@code url} with header {@code accept} for {@code duration} over {@code
   * connections} connections; fails when any answer was not 2xx or a socket failed.
   */
  Rate run(String method, String url, String accept, Duration duration, int connections) {
    List<String> cmd = new ArrayList<>(List.of(Tools.path("wrk"), "-t2", "-c" + connections));
    cmd.addAll(List.of("-d" + duration.toSeconds() + "s", "-H", "Accept: " + accept));
    cmd.addAll(List.of("-s", script(method).toString(), url));
    String out = run(cmd, duration);
    if (find(NON_2XX, out) != null || find(SOCKET, out) != null) {
      throw new BenchException("wrk " + method + " " + url + " saw failures:\n" + out);
    }
    String rate = find(RATE, out);
    if (rate == null) {
      throw new BenchException("wrk printed no rate:\n" + out);
    }
    return new Rate(Double.parseDouble(rate), Long.parseLong(find(TOTAL, out)));
  }

  private Path script(String method) {
    Path file = scripts.resolve(method.toLowerCase(java.util.Locale.ROOT) + ".lua");
    try {
      Files.createDirectories(scripts);
      return Files.writeString(file, "wrk.method = \"" + method + "\"\n");
    } catch (IOException e) {
      throw new BenchException("cannot write " + file + ": " + e, e);
    }
  }

  private static String run(List<String> cmd, Duration duration) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      try (InputStream in = p.getInputStream()) {
        String out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(duration.toSeconds() + 30, TimeUnit.SECONDS) || p.exitValue() != 0) {
          p.destroyForcibly();
          throw new BenchException("wrk failed:\n" + out);
        }
        return out;
      }
    } catch (IOException e) {
      throw new BenchException("cannot run wrk: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted", e);
    }
  }

  private static String find(Pattern p, String text) {
    Matcher m = p.matcher(text);
    return m.find() ? m.group(1) : null;
  }
}
