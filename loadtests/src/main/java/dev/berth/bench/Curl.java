package dev.berth.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * The client of the blob and push scenarios: one {@code curl} process per transfer, the same for
 * every system, so that a client on the benchmark's JVM does not compete with the servers in it.
 */
final class Curl {
  private static final String FORMAT =
      "%{http_code}|%{size_download}|%{time_total}|%header{berth-cache}";

  private Curl() {}

  /** One finished transfer: status, bytes received, curl's own total time, Berth's cache result. */
  record Transfer(int status, long bytes, double seconds, String cache) {}

  /** Downloads {@code url}, discarding the body. */
  static Transfer get(String url) {
    return finish(start(url));
  }

  /** Downloads every one of {@code urls} at once, one process each; the answers in that order. */
  static List<Transfer> getAll(List<String> urls) {
    List<Process> running = new ArrayList<>();
    for (String url : urls) {
      running.add(start(url));
    }
    List<Transfer> done = new ArrayList<>();
    for (Process p : running) {
      done.add(finish(p));
    }
    return done;
  }

  /** Downloads {@code url} and returns the digest of its body, {@code sha256:<hex>}. */
  static String digestOf(String url) {
    Process p = run(List.of(Tools.path("curl"), "-sf", url));
    try (InputStream in = p.getInputStream()) {
      MessageDigest sha = Digests.sha256();
      byte[] buf = new byte[1 << 20];
      for (int n; (n = in.read(buf)) > 0; ) {
        sha.update(buf, 0, n);
      }
      if (p.waitFor() != 0) {
        throw new BenchException("curl " + url + " failed with exit code " + p.exitValue());
      }
      return Digests.finish(sha, new byte[0]);
    } catch (IOException e) {
      throw new BenchException("curl " + url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted", e);
    }
  }

  /** PUT of {@code file} to {@code url}, streamed; the status. */
  static Transfer put(String url, Path file) {
    return finish(
        run(
            List.of(
                Tools.path("curl"),
                "-s",
                "-o",
                "/dev/null",
                "-w",
                FORMAT,
                "-X",
                "PUT",
                "-H",
                "Content-Type: application/octet-stream",
                "-H",
                "Expect:",
                "-T",
                file.toString(),
                url)));
  }

  private static Process start(String url) {
    return run(List.of(Tools.path("curl"), "-s", "-o", "/dev/null", "-w", FORMAT, url));
  }

  private static Process run(List<String> command) {
    try {
      return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new BenchException("cannot run curl: " + e, e);
    }
  }

  private static Transfer finish(Process p) {
    try (InputStream in = p.getInputStream()) {
      String out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      int exit = p.waitFor();
      String[] f = out.split("\\|", -1);
      if (exit != 0 || f.length < 4) {
        throw new BenchException("curl failed (exit code " + exit + "): " + out);
      }
      return new Transfer(
          Integer.parseInt(f[0]), Long.parseLong(f[1]), Double.parseDouble(f[2]), f[3]);
    } catch (IOException e) {
      throw new BenchException("curl: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted", e);
    }
  }
}
