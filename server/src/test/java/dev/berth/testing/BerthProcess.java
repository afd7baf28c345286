package dev.berth.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Berth as a separate process from the packaged jar, for heap limits, signals and exit codes. */
public final class BerthProcess implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final int port;

  private BerthProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** The packaged jar, which Failsafe names in the {@code berth.jar} property. */
  public static Path jar() {
    String jar = System.getProperty("berth.jar");
    if (jar == null || !Files.exists(Path.of(jar))) {
      throw new AssertionError("berth.jar not built: run the tests with ./mvnw verify");
    }
    return Path.of(jar);
  }

  /** The command line that runs the jar with {@code jvmArgs} and {@code args}. */
  public static List<String> command(List<String> jvmArgs, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.addAll(args);
    return cmd;
  }

  /**
   * Starts {@code berth serve --config config --data data} on a free port; waits for readiness. On
   * the shared backends of {@code data} when the run selects them ({@link SharedBackends}).
   */
  public static BerthProcess serve(List<String> jvmArgs, Path config, Path data)
      throws IOException {
    return serve(jvmArgs, config, data, java.util.Map.of());
  }

  /** As {@link #serve(List, Path, Path)}, with {@code env} added to the process's environment. */
  public static BerthProcess serve(
      List<String> jvmArgs, Path config, Path data, java.util.Map<String, String> env)
      throws IOException {
    config = SharedBackends.onSharedBackends(config, data);
    int port = Ports.free();
    Path log = Files.createTempFile("berth", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(
                command(
                    jvmArgs,
                    List.of(
                        "serve",
                        "--config",
                        config.toString(),
                        "--data",
                        data.toString(),
                        "--listen",
                        "127.0.0.1:" + port)))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(env);
    Process p = builder.start();
    BerthProcess berth = new BerthProcess(p, log, port);
    berth.awaitReady();
    return berth;
  }

  private void awaitReady() {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest probe =
        HttpRequest.newBuilder(URI.create("http://" + address() + "/readyz")).build();
    try {
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .ignoreExceptions() // Not listening yet.
          .until(
              () ->
                  !process.isAlive()
                      || http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode()
                          == 200);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("berth did not become ready:\n" + log());
    }
    if (!process.isAlive()) {
      throw new AssertionError("berth did not become ready:\n" + log());
    }
  }

  public String address() {
    return "127.0.0.1:" + port;
  }

  public RegistryClient client() {
    return new RegistryClient("http://" + address());
  }

  public Process process() {
    return process;
  }

  /** What the process printed so far. */
  public String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Sends SIGTERM and waits for the exit status. */
  public int terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new AssertionError("berth did not stop within 60 s of SIGTERM:\n" + log());
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
