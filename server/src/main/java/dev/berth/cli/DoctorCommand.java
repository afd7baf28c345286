package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.config.BerthConfig;
import dev.berth.config.ConfigLoader;
import dev.berth.config.UpstreamConfig;
import dev.berth.doctor.ClientFiles;
import dev.berth.doctor.Doctor;
import dev.berth.doctor.Finding;
import dev.berth.doctor.Report;
import dev.berth.metrics.BerthMetrics;
import dev.berth.oci.ImageName;
import dev.berth.prefetch.ImageRequest;
import dev.berth.prefetch.Sources;
import dev.berth.upstream.Upstreams;
import dev.berth.upstream.auth.CredentialSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code berth doctor}: checks a build's Dockerfiles and BuildKit setup against Berth. */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    header = "Checks Dockerfiles and buildkitd.toml for traps, and Berth for their images.",
    description = {
      "Reports what would make a build slow, wrong or fail, each finding with its",
      "severity, file and line, and the fix:",
      "  error    a cache mount whose id lacks $TARGETPLATFORM/$TARGETARCH when two",
      "           or more platforms are built (a warning when --platform is not",
      "           given); a base image whose registry has no mirror in the",
      "           buildkitd.toml; plain-HTTP Berth without http = true there",
      "  warning  a cache mount shared by concurrent RUNs or a locking package",
      "           manager without sharing=locked; a base image Berth does not hold",
      "           for a requested platform; Berth unreachable; upstream credentials",
      "           failing or minting short-lived tokens (with --config); a mirror",
      "           file the installed client will not read (containerd 2.1+ reads",
      "           config_path as one directory; Docker reads /etc/docker/certs.d",
      "           hosts.toml only from 29 on)",
      "Exits 0 when there is no error, 1 when there is one, 2 on a usage error."
    })
final class DoctorCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Tokens that live less than this are reported: a slow direct push outlives them. */
  private static final Duration SHORT_TOKEN = Duration.ofMinutes(2);

  @CommandLine.Mixin AdminApi target = new AdminApi();

  @Option(names = "--dockerfile", paramLabel = "FILE", description = "A Dockerfile to check.")
  List<Path> dockerfiles = new ArrayList<>();

  @Option(
      names = "--platform",
      paramLabel = "P,...",
      description = "The platforms the build targets, e.g. linux/amd64,linux/arm64.")
  String platform;

  @Option(
      names = "--build-arg",
      paramLabel = "KEY=VALUE",
      description = "A build argument for the Dockerfiles' ARG lines.")
  Map<String, String> buildArgs = new LinkedHashMap<>();

  @Option(
      names = "--buildkitd-config",
      paramLabel = "FILE",
      description = "The buildkitd.toml the builds use.")
  Path buildkitd;

  @Option(names = "--json", description = "Print the findings as JSON.")
  boolean json;

  @Option(
      names = "--containerd-version",
      paramLabel = "VERSION",
      description = "containerd's version (default: containerd --version, when installed).")
  String containerdVersion;

  @Option(
      names = "--docker-version",
      paramLabel = "VERSION",
      description = "The Docker daemon's version (default: docker version, when installed).")
  String dockerVersion;

  @Option(
      names = "--containerd-config",
      paramLabel = "FILE",
      description = "containerd's config.toml (default: ${DEFAULT-VALUE}).")
  Path containerdConfig = Path.of("/etc/containerd/config.toml");

  @Option(
      names = "--containerd-certs",
      paramLabel = "DIR",
      description = "containerd's hosts directory (default: ${DEFAULT-VALUE}).")
  Path containerdCerts = Path.of("/etc/containerd/certs.d");

  @Option(
      names = "--docker-certs",
      paramLabel = "DIR",
      description = "Docker's certs.d (default: ${DEFAULT-VALUE}).")
  Path dockerCerts = Path.of("/etc/docker/certs.d");

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    CommandLine cmd = spec.commandLine();
    List<String> platforms;
    try {
      platforms = platform == null ? List.of() : Sources.platforms(platform, "--platform");
    } catch (Sources.SourceException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage());
    }
    URI berth = target.base(cmd);
    boolean plainHttp = "http".equals(berth.getScheme());
    String hostPort =
        berth.getHost() + ":" + (berth.getPort() > 0 ? berth.getPort() : plainHttp ? 80 : 443);
    List<Finding> findings = new ArrayList<>();
    List<ImageRequest> images = new ArrayList<>();
    for (Path f : dockerfiles) {
      String text = read(f, cmd);
      Doctor.DockerfileReport report = Doctor.dockerfile(f.toString(), text, buildArgs, platforms);
      findings.addAll(report.findings());
      images.addAll(report.images());
    }
    if (buildkitd != null) {
      findings.addAll(
          Doctor.mirrors(images, buildkitd.toString(), read(buildkitd, cmd), hostPort, plainHttp));
    }
    findings.addAll(
        ClientFiles.check(
            new ClientFiles.Host(
                ClientProbe.of(
                    cmd, "--containerd-version", containerdVersion, ClientProbe.CONTAINERD),
                containerdConfig,
                containerdCerts,
                ClientProbe.of(cmd, "--docker-version", dockerVersion, ClientProbe.DOCKER),
                dockerCerts),
            hostPort));
    findings.addAll(presence(berth, target.authorization(cmd), images));
    if (target.config != null) {
      findings.addAll(credentials(ConfigLoader.withSystemEnv().load(target.config), images));
    }
    Report report = new Report(findings);
    PrintWriter out = cmd.getOut();
    out.print(json ? report.json() : report.text());
    out.flush();
    return report.hasErrors() ? 1 : 0;
  }

  private static String read(Path f, CommandLine cmd) {
    try {
      return Files.readString(f, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CommandLine.ParameterException(cmd, f + ": cannot read it: " + e.getMessage());
    }
  }

  /** Warnings for base images Berth lacks, or one warning when Berth cannot be asked. */
  private static List<Finding> presence(
      URI berth, java.util.Optional<String> authorization, List<ImageRequest> images) {
    List<Finding> out = new ArrayList<>();
    Map<String, ImageRequest> byRef = new HashMap<>();
    images.forEach(i -> byRef.putIfAbsent(i.ref(), i));
    // With no image to look up, the empty check still says whether Berth answers.
    try (Stream<String> lines = AdminApi.prefetch(berth, authorization, images, true)) {
      for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
        JsonNode p = JSON.readTree(it.next());
        if (!p.path("event").asText().equals("presence") || p.path("complete").asBoolean()) {
          continue;
        }
        ImageRequest image = byRef.get(p.path("ref").asText());
        String origin = image == null ? "berth" : image.origin();
        List<String> missing = new ArrayList<>();
        p.path("missing").forEach(m -> missing.add(m.asText()));
        String ref = p.path("ref").asText();
        String message =
            p.path("error").isTextual()
                ? "Berth cannot look up " + ref + ": " + p.path("error").asText()
                : ref
                    + " is not in Berth"
                    + (missing.isEmpty() ? "" : " for " + String.join(", ", missing))
                    + ": the first build fetches it from its upstream";
        String platforms =
            image == null || image.platforms().isEmpty()
                ? ""
                : "--platform " + String.join(",", image.platforms()) + " ";
        out.add(
            new Finding(
                Finding.Severity.WARNING,
                Doctor.fileOf(origin),
                Doctor.lineOf(origin),
                message,
                "berth prefetch --berth " + berth + " " + platforms + ref));
      }
    } catch (IOException | UncheckedIOException | IllegalStateException e) {
      out.add(
          new Finding(
              Finding.Severity.WARNING,
              "berth",
              0,
              e instanceof IllegalStateException
                  ? String.valueOf(e.getMessage())
                  : "cannot reach Berth at " + berth + ": " + e.getMessage(),
              "start Berth (berth serve) or name it with --berth"));
    }
    return out;
  }

  /** Warnings for the upstreams of {@code images} whose credentials fail or mint short tokens. */
  private static List<Finding> credentials(BerthConfig cfg, List<ImageRequest> images) {
    List<Finding> out = new ArrayList<>();
    if (cfg.offline()) {
      return out;
    }
    Map<String, ImageRequest> byRegistry = new LinkedHashMap<>();
    for (ImageRequest image : images) {
      try {
        byRegistry.putIfAbsent(ImageName.parse(image.ref()).registry(), image);
      } catch (IllegalArgumentException e) {
        // Reported by the Dockerfile checks.
      }
    }
    ExecutorService blocking = Executors.newCachedThreadPool();
    try (Upstreams upstreams = new Upstreams(cfg, new BerthMetrics(), blocking, System.getenv())) {
      for (Map.Entry<String, ImageRequest> e : byRegistry.entrySet()) {
        String host = e.getKey();
        UpstreamConfig upstream = cfg.upstreamFor(host).orElse(null);
        if (upstream == null || upstream.offline()) {
          continue;
        }
        String origin = e.getValue().origin();
        String repository = ImageName.parse(e.getValue().ref()).repository();
        try {
          CredsCommand.Checked checked =
              CredsCommand.Check.check(
                  upstreams.client(host, upstream), upstream.push(), repository);
          Duration life = checked.tokenLifetime();
          if (life != null && life.compareTo(SHORT_TOKEN) < 0) {
            out.add(
                new Finding(
                    Finding.Severity.WARNING,
                    Doctor.fileOf(origin),
                    Doctor.lineOf(origin),
                    host
                        + " mints tokens that live "
                        + life.toSeconds()
                        + " s: Berth re-mints them, but a client that pushes to "
                        + host
                        + " directly fails once a push outlasts one",
                    "push through Berth"));
          }
        } catch (CredsCommand.CheckFailed | CredentialSource.CredentialException failed) {
          out.add(
              new Finding(
                  Finding.Severity.WARNING,
                  Doctor.fileOf(origin),
                  Doctor.lineOf(origin),
                  "credentials for " + host + " fail: " + failed.getMessage(),
                  "berth creds check --config <file> " + host));
        }
      }
    } finally {
      blocking.shutdownNow();
    }
    return out;
  }
}
