package dev.berth.cli;

import dev.berth.config.clients.ClientVersion;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

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

  /** {@code given} parsed, or else what {@code command} prints; a bad {@code given} is null. */
  static Optional<ClientVersion> of(String given, List<String> command) {
    if (given != null) {
      return ClientVersion.parse(given);
    }
    return run(command);
  }
}
