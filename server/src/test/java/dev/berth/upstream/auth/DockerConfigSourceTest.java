package dev.berth.upstream.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigSourceTest {
  @TempDir Path dir;

  private Path config(String json) throws Exception {
    return Files.writeString(dir.resolve("config.json"), json);
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void dockerHubsLegacyKeyServesRegistryOne() throws Exception {
    Path file =
        config(
            "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"%s\"}}}"
                .formatted(b64("alice:pat-123")));
    Credential c =
        new DockerConfigSource(file, List.of("registry-1.docker.io"), true)
            .get()
            .orElseThrow()
            .credential();
    assertThat(c.username()).isEqualTo("alice");
    assertThat(c.secret()).isEqualTo("pat-123");
    assertThat(c.identityToken()).isFalse();
    assertThat(c.toString()).doesNotContain("pat-123");
  }

  @Test
  void identityTokenIsMarkedAsSuch() throws Exception {
    Path file = config("{\"auths\":{\"ghcr.io\":{\"identitytoken\":\"idt-9\"}}}");
    Credential c =
        new DockerConfigSource(file, List.of("ghcr.io"), true).get().orElseThrow().credential();
    assertThat(c.identityToken()).isTrue();
    assertThat(c.secret()).isEqualTo("idt-9");
  }

  @Test
  void nothingForTheHostIsEmptyUnlessRequired() throws Exception {
    Path file = config("{\"auths\":{\"quay.io\":{\"auth\":\"%s\"}}}".formatted(b64("u:secret-7")));
    assertThat(new DockerConfigSource(file, List.of("ghcr.io"), false).get()).isEmpty();
    assertThatThrownBy(() -> new DockerConfigSource(file, List.of("ghcr.io"), true).get())
        .hasMessageContaining("has no credentials for ghcr.io")
        .hasMessageNotContaining("secret-7");
  }

  @Test
  void brokenFilesAreNamedWithoutTheirContent() throws Exception {
    Path file = config("{\"auths\": {\"ghcr.io\": {\"auth\": \"secret-8\"");
    assertThatThrownBy(() -> new DockerConfigSource(file, List.of("ghcr.io"), false).get())
        .hasMessageContaining(file.toString())
        .hasMessageNotContaining("secret-8");
    Path notBase64 = config("{\"auths\":{\"ghcr.io\":{\"auth\":\"secret-9!\"}}}");
    assertThatThrownBy(() -> new DockerConfigSource(notBase64, List.of("ghcr.io"), false).get())
        .hasMessageContaining("not base64")
        .hasMessageNotContaining("secret-9");
  }

  @Test
  void locatesConfigLikeTheDockerCli() {
    assertThat(DockerConfigSource.locate(null, Map.of("DOCKER_CONFIG", "/etc/dc", "HOME", "/h")))
        .isEqualTo(Path.of("/etc/dc/config.json"));
    assertThat(DockerConfigSource.locate(null, Map.of("HOME", "/h")))
        .isEqualTo(Path.of("/h/.docker/config.json"));
    assertThat(DockerConfigSource.locate(dir, Map.of())).isEqualTo(dir.resolve("config.json"));
    assertThat(DockerConfigSource.locate(Path.of("/x/my.json"), Map.of()))
        .isEqualTo(Path.of("/x/my.json"));
  }
}
