package dev.berth.cli;

import dev.berth.config.BerthConfig;
import dev.berth.config.ConfigException;
import dev.berth.config.ConfigLoader;
import dev.berth.config.UpstreamConfig;
import dev.berth.config.clients.ClientConfigs;
import dev.berth.config.clients.ClientVersion;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code berth client-config}: the configuration that wires a container client to Berth. */
@Command(
    name = "client-config",
    mixinStandardHelpOptions = true,
    header = "Writes the configuration that sends a client's pulls through Berth.",
    description = {
      "Writes what CLIENT needs to pull (and push) through Berth, for every",
      "upstream host in the configuration:",
      "  buildkit    buildkitd.toml: each upstream mirrored to Berth, and Berth",
      "              reached over plain HTTP (http = true) or with its CA",
      "  containerd  a hosts.toml per upstream (-o DIR, e.g. /etc/containerd/certs.d",
      "              or ctr --hosts-dir): Berth first, the upstream as fallback; the",
      "              note says which config.toml section names DIR for the version",
      "  docker      daemon.json with Berth in registry-mirrors (docker.io only) and",
      "              insecure-registries, merged into -o FILE when it exists; for",
      "              Docker 29 and later also a hosts.toml per upstream in",
      "              /etc/docker/certs.d (or --hosts-dir), which it reads with the",
      "              containerd image store",
      "  podman      registries.conf (for /etc/containers/registries.conf.d/) with",
      "              Berth as each upstream's mirror; also read by buildah and skopeo",
      "The client's version comes from --client-version, or else from",
      "containerd --version or docker version when the command is there.",
      "Without -o the result goes to stdout. Exits 0 when written, 2 on a usage or",
      "configuration error."
    })
final class ClientConfigCommand implements Callable<Integer> {
  /** The clients there is a configuration for. */
  enum Client {
    BUILDKIT,
    CONTAINERD,
    DOCKER,
    PODMAN
  }

  @Parameters(paramLabel = "CLIENT", description = "One of: buildkit, containerd, docker, podman.")
  Client client;

  @CommandLine.Mixin AdminApi target = new AdminApi();

  @Option(
      names = {"-o", "--output"},
      paramLabel = "PATH",
      description = "Where to write: a file, or a directory for containerd.")
  Path output;

  @Option(names = "--push", description = "containerd: let pushes go through Berth too.")
  boolean push;

  @Option(
      names = "--upstream",
      paramLabel = "HOST",
      description = "Also wire HOST, e.g. a host a pattern (*.gcr.io) matches.")
  List<String> extra = new ArrayList<>();

  @Option(
      names = "--ca",
      paramLabel = "FILE",
      description = "The CA clients trust Berth by (default: the configuration's tls.certificate).")
  Path ca;

  @Option(
      names = "--client-version",
      paramLabel = "VERSION",
      description = "The client's version (2.1.0, 29.0.1); default: asked of containerd or docker.")
  String clientVersion;

  @Option(
      names = "--hosts-dir",
      paramLabel = "DIR",
      description =
          "docker 29+: where the hosts.toml files go (default with -o: /etc/docker/certs.d).")
  Path hostsDir;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    CommandLine cmd = spec.commandLine();
    BerthConfig cfg =
        target.config == null
            ? BerthConfig.defaults()
            : ConfigLoader.withSystemEnv().load(target.config);
    URI berth = target.base(cmd);
    List<ClientConfigs.Upstream> upstreams = new ArrayList<>();
    List<String> patterns = new ArrayList<>();
    for (UpstreamConfig u : cfg.upstreams()) {
      if (u.name().isPattern()) {
        patterns.add(u.name().text());
      } else {
        upstreams.add(upstream(u, u.name().text()));
      }
    }
    for (String host : extra) {
      if (upstreams.stream().anyMatch(u -> u.host().equals(host))) {
        continue;
      }
      UpstreamConfig u =
          cfg.upstreamFor(host)
              .orElseThrow(
                  () -> new ConfigException("--upstream " + host + ": no upstream matches it"));
      upstreams.add(upstream(u, host));
    }
    Path trust = ca != null ? ca : cfg.tls() == null ? null : cfg.tls().certificate();
    ClientConfigs configs = new ClientConfigs(berth, upstreams, patterns, trust);
    PrintWriter out = cmd.getOut();
    PrintWriter err = cmd.getErr();
    switch (client) {
      case BUILDKIT -> emit(configs.buildkit(), out, err);
      case PODMAN -> emit(configs.podman(), out, err);
      case DOCKER -> {
        Optional<ClientVersion> version = version(cmd, ClientProbe.DOCKER);
        String existing = null;
        if (output != null && Files.exists(output)) {
          existing = Files.readString(output, StandardCharsets.UTF_8);
        }
        String name = output == null ? "daemon.json" : output.toString();
        emit(configs.docker(name, existing), out, err);
        Path dir = hostsDir;
        if (dir == null && output != null) {
          dir = Path.of("/etc/docker/certs.d");
        }
        boolean hosts = ClientConfigs.dockerReadsHostsToml(version) && dir != null;
        if (hosts) {
          for (Map.Entry<String, String> file : configs.dockerHosts().entrySet()) {
            write(dir.resolve(file.getKey()), file.getValue(), err);
          }
        }
        err.println(configs.dockerNote(version, hosts ? dir.toString() : null));
      }
      case CONTAINERD -> {
        Optional<ClientVersion> version = version(cmd, ClientProbe.CONTAINERD);
        for (Map.Entry<String, String> file : configs.containerd(push).entrySet()) {
          if (output == null) {
            out.println("# " + file.getKey());
            out.print(file.getValue());
            out.println();
          } else {
            write(output.resolve(file.getKey()), file.getValue(), err);
          }
        }
        String dir =
            output == null ? "/etc/containerd/certs.d" : output.toAbsolutePath().toString();
        err.println(ClientConfigs.containerdNote(version, dir));
      }
    }
    out.flush();
    err.flush();
    return 0;
  }

  /**
   * The client's version: {@code --client-version}, or what {@code probe} prints when the command
   * is there; empty when neither says.
   */
  private Optional<ClientVersion> version(CommandLine cmd, List<String> probe) {
    Optional<ClientVersion> found = ClientProbe.of(cmd, "--client-version", clientVersion, probe);
    if (clientVersion == null) {
      found.ifPresent(
          v ->
              cmd.getErr()
                  .println("client version " + v + " (from " + String.join(" ", probe) + ")"));
    }
    return found;
  }

  private static ClientConfigs.Upstream upstream(UpstreamConfig u, String host) {
    return new ClientConfigs.Upstream(host, u.endpointsFor(host).get(0).uri());
  }

  private void emit(String text, PrintWriter out, PrintWriter err) throws java.io.IOException {
    if (output == null) {
      out.print(text);
    } else {
      write(output, text, err);
    }
  }

  private static void write(Path file, String text, PrintWriter err) throws java.io.IOException {
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    // Written beside it, then renamed: a reader never sees half a file.
    Path temp = Files.createTempFile(parent, "." + file.getFileName(), ".tmp");
    try {
      Files.writeString(temp, text, StandardCharsets.UTF_8);
      Files.move(
          temp,
          file,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
    err.println("wrote " + file);
  }
}
