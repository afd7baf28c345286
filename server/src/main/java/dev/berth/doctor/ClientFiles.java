package dev.berth.doctor;

import dev.berth.config.clients.ClientVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Mirror files that the installed client will not read: containerd 2.1 and later read {@code
 * config_path} as one directory (its transfer service takes {@code "a:b"} as one path), and Docker
 * reads {@code hosts.toml} from {@code /etc/docker/certs.d} only from 29 on, with the containerd
 * image store. Each finding is a warning: the pulls still work, directly.
 */
public final class ClientFiles {
  private static final Pattern CONFIG_PATH =
      Pattern.compile("^\\s*config_path\\s*=\\s*[\"']([^\"']*)[\"']");

  private ClientFiles() {}

  /** What the clients on this host will find, and where. */
  public record Host(
      Optional<ClientVersion> containerd,
      Path containerdConfig,
      Path containerdCerts,
      Optional<ClientVersion> docker,
      Path dockerCerts) {}

  /** The findings for {@code host}, whose mirror files send pulls to {@code berthHostPort}. */
  public static List<Finding> check(Host host, String berthHostPort) {
    List<Finding> out = new ArrayList<>();
    host.containerd()
        .filter(v -> v.atLeast(2, 1))
        .ifPresent(v -> configPathList(out, v, host.containerdConfig()));
    host.docker()
        .ifPresent(
            v -> {
              List<Path> dockerFiles = mirrorFiles(host.dockerCerts(), berthHostPort);
              if (v.atLeast(29, 0)) {
                List<Path> containerdFiles = mirrorFiles(host.containerdCerts(), berthHostPort);
                if (dockerFiles.isEmpty() && !containerdFiles.isEmpty()) {
                  out.add(
                      Finding.warning(
                          containerdFiles.get(0).toString(),
                          0,
                          "Docker "
                              + v
                              + " reads hosts.toml from "
                              + host.dockerCerts()
                              + ", not "
                              + host.containerdCerts()
                              + ": its pulls do not go through Berth",
                          "berth client-config docker --client-version "
                              + v
                              + " -o /etc/docker/daemon.json"));
                }
              } else if (!dockerFiles.isEmpty()) {
                out.add(
                    Finding.warning(
                        dockerFiles.get(0).toString(),
                        0,
                        "Docker "
                            + v
                            + " does not read hosts.toml files (29 and later do, with the"
                            + " containerd image store): this mirror is ignored",
                        "give Docker Berth in registry-mirrors: berth client-config docker"));
              }
            });
    return out;
  }

  private static void configPathList(List<Finding> out, ClientVersion v, Path config) {
    if (config == null || !Files.isRegularFile(config)) {
      return;
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(config, StandardCharsets.UTF_8);
    } catch (IOException e) {
      out.add(Finding.warning(config.toString(), 0, "cannot be read: " + e.getMessage(), null));
      return;
    }
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = CONFIG_PATH.matcher(lines.get(i));
      if (m.find() && m.group(1).contains(":")) {
        String first = m.group(1).substring(0, m.group(1).indexOf(':'));
        out.add(
            Finding.warning(
                config.toString(),
                i + 1,
                "config_path names several directories (\""
                    + m.group(1)
                    + "\"); containerd "
                    + v
                    + " pulls through its transfer service, which reads it as one path: every"
                    + " mirror in them is ignored",
                "name one directory: config_path = \"" + first + "\""));
      }
    }
  }

  /** The {@code <host>/hosts.toml} files under {@code dir} that name Berth. */
  private static List<Path> mirrorFiles(Path dir, String berthHostPort) {
    if (dir == null || !Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> hosts = Files.list(dir)) {
      return hosts
          .map(h -> h.resolve("hosts.toml"))
          .filter(Files::isRegularFile)
          .filter(f -> names(f, berthHostPort))
          .sorted()
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static boolean names(Path file, String berthHostPort) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).contains(berthHostPort);
    } catch (IOException e) {
      return false;
    }
  }
}
