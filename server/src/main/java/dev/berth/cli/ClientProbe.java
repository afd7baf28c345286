package dev.berth.cli;

import dev.berth.config.clients.ClientVersion;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/** The version of a client installed here, as its own command prints it. */
final class ClientProbe {
  /** What prints containerd's version. */
  static final List<String> CONTAINERD = List.of("containerd", "--version");

  /** What prints the Docker daemon's version (the daemon reads the configuration). */
  static final List<String> DOCKER =
      List.of("docker", "version", "--format", "{{.Server.Version}}");

  private ClientProbe() {}

  /** The version {@code command} prints; empty when it is not installed or says none. */
  static Optional<ClientVersion> run(List<String> command) {
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Optional.empty();
      }
      String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return p.exitValue() == 0 ? ClientVersion.parse(printed) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty(); // Not installed here.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /**
   * The version {@code option} gives, or else what {@code command} prints (empty when neither
   * says); a {@code given} that is no version is a usage error naming {@code option}.
   */
  static Optional<ClientVersion> of(
      CommandLine cmd, String option, String given, List<String> command) {
    if (given == null) {
      return run(command);
    }
    return Optional.of(
        ClientVersion.parse(given)
            .orElseThrow(
                () ->
                    new CommandLine.ParameterException(
                        cmd,
                        option
                            + ": not a version: \""
                            + given
                            + "\" (expected e.g. 2.1.0 or 29.0.1)")));
  }
}
