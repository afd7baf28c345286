package dev.berth.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a real client (skopeo, ctr, curl) and returns what it printed. A tool that is missing fails
 * the test: the suite never skips for want of a tool.
 */
public final class Cmd {
  private Cmd() {}

  /** What a finished command printed and its exit status. */
  public record Result(int exit, String out, String err) {
    public Result ok() {
      assertThat(exit).as("exit status; stdout:%n%s%nstderr:%n%s", out, err).isZero();
      return this;
    }
  }

  public static Result run(List<String> command) {
    return run(command, 300);
  }

  public static Result run(List<String> command, int timeoutSeconds) {
    return run(command, java.util.Map.of(), timeoutSeconds);
  }

  /** Runs {@code command} with {@code env} added to its environment. */
  public static Result run(
      List<String> command, java.util.Map<String, String> env, int timeoutSeconds) {
    try {
      Path out = Files.createTempFile("cmd", ".out");
      Path err = Files.createTempFile("cmd", ".err");
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      builder.environment().putAll(env);
      Process p = builder.start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("timed out after " + timeoutSeconds + " s: " + command);
      }
      Result r =
          new Result(
              p.exitValue(),
              Files.readString(out, StandardCharsets.UTF_8),
              Files.readString(err, StandardCharsets.UTF_8));
      Files.delete(out);
      Files.delete(err);
      return r;
    } catch (IOException e) {
      throw new AssertionError("cannot run " + command + " (is it installed? see .ci/setup)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * {@code podman} with its own storage under {@code storage} (vfs, no systemd): a test's images
   * and layers stay out of the host's.
   */
  public static List<String> podman(Path storage) {
    return List.of(
        "podman",
        "--root",
        storage.resolve("root").toString(),
        "--runroot",
        storage.resolve("run").toString(),
        "--storage-driver",
        "vfs",
        "--cgroup-manager",
        "cgroupfs",
        "--events-backend",
        "file");
  }

  /** {@code skopeo copy --all} of {@code ref} from the plain-HTTP registry at {@code address}. */
  public static void skopeoCopyAll(String address, String ref, Path dir) {
    run(List.of(
            "skopeo",
            "copy",
            "--all",
            "--src-tls-verify=false",
            "docker://" + address + "/" + ref,
            "oci:" + dir))
        .ok();
  }

  /**
   * {@code skopeo copy --all} of {@code src} to {@code dest}, both plain HTTP, with {@code extra}
   * options (e.g. {@code --dest-creds}) before them.
   */
  public static Result skopeoCopy(String src, String dest, String... extra) {
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                "skopeo", "copy", "--all", "--src-tls-verify=false", "--dest-tls-verify=false"));
    cmd.addAll(List.of(extra));
    cmd.add(src);
    cmd.add(dest);
    return run(cmd);
  }
}
