package dev.berth.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValueTypesTest {
  private static final String HEX = "a".repeat(64);

  @Test
  void platformsParseOnceAndCoverTheirVariants() {
    assertThat(Platform.parse(" Linux/ARM64/v8 ")).isEqualTo(new Platform("linux", "arm64", "v8"));
    assertThat(Platform.parse("linux/amd64")).isEqualTo(Platform.LINUX_AMD64);
    for (String bad : new String[] {"linux", "linux/", "/amd64", "linux/amd64/v8/x", "lin ux/a"}) {
      assertThatThrownBy(() -> Platform.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expected os/arch[/variant]");
    }
    assertThat(Platform.parse("linux/arm64").covers(new Platform("linux", "arm64", "v8"))).isTrue();
    assertThat(Platform.parse("linux/arm64/v8").covers(new Platform("linux", "arm64", null)))
        .isFalse();
    assertThat(Platform.parse("linux/arm/v7").covers(new Platform("linux", "arm", "v6"))).isFalse();
    assertThat(Platform.LINUX_AMD64.covers(null)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"docker.io", "index.docker.io", "Registry-1.Docker.io", "registry.hub.docker.com"})
  void everyNameOfDockerHubIsDockerIo(String host) {
    assertThat(DockerHub.canonical(host)).isEqualTo("docker.io");
    assertThat(dev.berth.oci.ImageName.parse(host + "/alpine:3").registry()).isEqualTo("docker.io");
  }

  @Test
  void otherHostsKeepTheirNameInLowerCase() {
    assertThat(DockerHub.canonical("GHCR.io")).isEqualTo("ghcr.io");
    assertThat(DockerHub.canonical("hub.docker.com.evil.example"))
        .isEqualTo("hub.docker.com.evil.example");
  }

  @Test
  void digestRoundTripsAndHashes() {
    Digest d = Digest.of("sha256:" + HEX);
    assertThat(d).hasToString("sha256:" + HEX).isEqualTo(Digest.of(d.toString()));
    assertThat(Digest.sha256("".getBytes(StandardCharsets.UTF_8)))
        .hasToString("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assertThat(Digest.of("sha512:" + "b".repeat(128)).algorithm()).isEqualTo("sha512");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"sha256:abc", "md5:" + "a", "sha256:" + "A", "nocolon", ":abc", "sha256:"})
  void malformedDigestsAreRejected(String text) {
    assertThatThrownBy(() -> Digest.of(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"alpine", "library/alpine", "a.b_c__d-e/f--g", "x/y/z/w"})
  void validRepositoryNames(String name) {
    assertThat(RepositoryName.of(name)).hasToString(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Alpine", "a..b", "a/", "/a", "a//b", "-a", "a_", "a___b"})
  void invalidRepositoryNames(String name) {
    assertThatThrownBy(() -> RepositoryName.of(name)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void referencesAreTagsOrDigests() {
    assertThat(ManifestReference.of("3.20").tag()).hasValue("3.20");
    assertThat(ManifestReference.of("sha256:" + HEX).isDigest()).isTrue();
    assertThatThrownBy(() -> ManifestReference.of("-x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ManifestReference.of("a".repeat(129)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void mediaTypesCarryPredicates() {
    assertThat(MediaTypes.isIndex("application/vnd.oci.image.index.v1+json; charset=utf-8"))
        .isTrue();
    assertThat(MediaTypes.isIndex(MediaTypes.DOCKER_LIST)).isTrue();
    assertThat(MediaTypes.isImageManifest(MediaTypes.DOCKER_MANIFEST)).isTrue();
    assertThat(MediaTypes.isIndex(MediaTypes.OCI_MANIFEST)).isFalse();
  }

  @Test
  void indexChildIsFoundByPlatform() {
    String amd = "sha256:" + "1".repeat(64);
    String arm = "sha256:" + "2".repeat(64);
    byte[] bytes =
        ("{\"schemaVersion\":2,\"manifests\":["
                + "{\"mediaType\":\""
                + MediaTypes.OCI_MANIFEST
                + "\",\"digest\":\""
                + arm
                + "\",\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}},"
                + "{\"mediaType\":\""
                + MediaTypes.OCI_MANIFEST
                + "\",\"digest\":\""
                + amd
                + "\",\"size\":2,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}")
            .getBytes(StandardCharsets.UTF_8);
    Manifest index = Manifest.of(bytes, MediaTypes.OCI_INDEX);
    assertThat(index.isIndex()).isTrue();
    assertThat(index.childFor(Platform.LINUX_AMD64).orElseThrow().digest()).hasToString(amd);
    assertThat(index.children().get(0).platform()).hasToString("linux/arm64/v8");
  }
}
