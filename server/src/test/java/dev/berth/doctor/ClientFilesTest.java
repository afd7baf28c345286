package dev.berth.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.config.clients.ClientConfigs;
import dev.berth.config.clients.ClientVersion;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mirror files where the installed client will not read them, by the version strings containerd and
 * Docker print, over the files {@code berth client-config} writes.
 */
class ClientFilesTest {
  private static final String BERTH = "127.0.0.1:5000";
  private static final ClientConfigs CONFIGS =
      new ClientConfigs(
          URI.create("http://" + BERTH),
          List.of(
              new ClientConfigs.Upstream("docker.io", URI.create("https://registry-1.docker.io"))),
          List.of(),
          null);

  @TempDir Path etc;

  private Path write(Path dir, Map<String, String> files) throws IOException {
    for (var f : files.entrySet()) {
      Path p = dir.resolve(f.getKey());
      Files.createDirectories(p.getParent());
      Files.writeString(p, f.getValue());
    }
    return dir;
  }

  private ClientFiles.Host host(String containerd, String docker) {
    return new ClientFiles.Host(
        ClientVersion.parse(containerd),
        etc.resolve("containerd/config.toml"),
        etc.resolve("containerd/certs.d"),
        ClientVersion.parse(docker),
        etc.resolve("docker/certs.d"));
  }

  @Test
  void containerd21WarnsOfAConfigPathListAndOlderReleasesDoNot() throws IOException {
    Files.createDirectories(etc.resolve("containerd"));
    Files.writeString(
        etc.resolve("containerd/config.toml"),
        """
        version = 3

        [plugins."io.containerd.cri.v1.images".registry]
          config_path = "/etc/containerd/certs.d:/etc/docker/certs.d"
        """);
    List<Finding> found =
        ClientFiles.check(
            host("containerd github.com/containerd/containerd/v2 v2.1.0 06b99ca8", null), BERTH);
    assertThat(found).hasSize(1);
    Finding f = found.get(0);
    assertThat(f.where()).isEqualTo(etc.resolve("containerd/config.toml") + ":4");
    assertThat(f.severity()).isEqualTo(Finding.Severity.WARNING);
    assertThat(f.message()).contains("containerd 2.1").contains("transfer service");
    assertThat(f.fix()).isEqualTo("name one directory: config_path = \"/etc/containerd/certs.d\"");

    assertThat(ClientFiles.check(host("containerd containerd.io 2.0.4 abc", null), BERTH))
        .isEmpty();
    assertThat(ClientFiles.check(host(null, null), BERTH)).isEmpty();
  }

  @Test
  void docker29WarnsWhenTheMirrorFilesAreOnlyWhereContainerdReadsThem() throws IOException {
    write(etc.resolve("containerd/certs.d"), CONFIGS.containerd(false));
    List<Finding> found =
        ClientFiles.check(host(null, "Docker version 29.0.1, build eedd969"), BERTH);
    assertThat(found).hasSize(1);
    assertThat(found.get(0).message())
        .contains("Docker 29.0 reads hosts.toml from " + etc.resolve("docker/certs.d"));
    assertThat(found.get(0).fix()).contains("--client-version 29.0");

    write(etc.resolve("docker/certs.d"), CONFIGS.dockerHosts());
    assertThat(ClientFiles.check(host(null, "29.0.1"), BERTH)).isEmpty();
  }

  @Test
  void dockerBefore29WarnsThatItIgnoresHostsToml() throws IOException {
    write(etc.resolve("docker/certs.d"), CONFIGS.dockerHosts());
    List<Finding> found = ClientFiles.check(host(null, "28.5.2"), BERTH);
    assertThat(found).hasSize(1);
    assertThat(found.get(0).message()).contains("Docker 28.5 does not read hosts.toml");
    assertThat(ClientFiles.check(host(null, null), BERTH)).isEmpty();
  }
}
