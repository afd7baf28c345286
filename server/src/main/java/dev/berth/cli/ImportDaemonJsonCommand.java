package dev.berth.cli;

import dev.berth.config.ConfigException;
import dev.berth.config.clients.DaemonJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code berth import-daemon-json}: a Berth configuration from Docker's daemon.json. */
@Command(
    name = "import-daemon-json",
    mixinStandardHelpOptions = true,
    header = "Prints a Berth configuration made from Docker's daemon.json.",
    description = {
      "Reads Docker's daemon.json and prints a Berth configuration (YAML) that",
      "keeps what it says about registries: docker.io's endpoints are its",
      "registry-mirrors followed by the origin, its proxies become Berth's proxy,",
      "and its insecure-registries hosts become upstreams tried over TLS without",
      "verification, then plain HTTP. Then point Docker, BuildKit and the other",
      "clients at Berth with berth client-config. Exits 0 when printed, 2 when the",
      "file cannot be read or is not valid (the message names the line)."
    })
final class ImportDaemonJsonCommand implements Callable<Integer> {
  @Parameters(
      paramLabel = "FILE",
      arity = "0..1",
      defaultValue = "/etc/docker/daemon.json",
      description = "Docker's daemon.json (default: ${DEFAULT-VALUE}).")
  Path file;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": no such file");
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read it: " + e.getMessage());
    }
    spec.commandLine().getOut().print(DaemonJson.toBerthYaml(file.toString(), text));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
