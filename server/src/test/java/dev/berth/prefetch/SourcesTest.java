package dev.berth.prefetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.oci.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourcesTest {
  private static List<String> refs(List<ImageRequest> images) {
    return images.stream().map(i -> i.ref() + " " + i.platforms() + " @" + i.origin()).toList();
  }

  @Test
  void aDockerfileGivesItsBaseImagesWithArgumentsSubstituted() {
    String dockerfile =
        """
        # syntax=docker/dockerfile:1
        ARG BASE=alpine:3.19
        ARG GO_VERSION=1.22
        ARG REGISTRY
        FROM ${BASE} AS build
        ARG INSIDE=ignored
        RUN apk add make \\
            gcc
        FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-bookworm AS tools
        FROM --platform=linux/arm64 \\
            ghcr.io/org/arm-only:1
        from build
        FROM ${REGISTRY:-quay.io}/team/app@sha256:%s
        FROM scratch
        COPY --from=build /out /
        """
            .formatted("a".repeat(64));
    List<ImageRequest> images =
        Sources.dockerfile(
            "Dockerfile", dockerfile, Map.of("BASE", "alpine:3.20"), List.of("linux/amd64"));
    assertThat(refs(images))
        .containsExactly(
            "alpine:3.20 [linux/amd64] @Dockerfile:5",
            "golang:1.22-bookworm [linux/amd64] @Dockerfile:9",
            "ghcr.io/org/arm-only:1 [linux/arm64] @Dockerfile:10",
            "quay.io/team/app@sha256:" + "a".repeat(64) + " [linux/amd64] @Dockerfile:13");
  }

  @Test
  void aVariableWithoutValueIsAnErrorNamingTheLine() {
    assertThatThrownBy(
            () -> Sources.dockerfile("Dockerfile", "ARG BASE\nFROM $BASE\n", Map.of(), List.of()))
        .isInstanceOf(Sources.SourceException.class)
        .hasMessageStartingWith("Dockerfile:2: FROM $BASE: a variable has no value");
  }

  @Test
  void aListFileHasAReferencePerLineWithOptionalPlatforms(@TempDir Path dir) throws Exception {
    Path list =
        Files.writeString(
            dir.resolve("images.txt"),
            """
            # base images
            alpine:3.20
            debian:bookworm linux/amd64,linux/arm/v7   # two platforms

            ghcr.io/org/app:1.2
            """);
    assertThat(refs(Sources.listFile(list, List.of("linux/arm64"))))
        .containsExactly(
            "alpine:3.20 [linux/arm64] @images.txt:2",
            "debian:bookworm [linux/amd64, linux/arm/v7] @images.txt:3",
            "ghcr.io/org/app:1.2 [linux/arm64] @images.txt:5");
    Path bad = Files.writeString(dir.resolve("bad.txt"), "alpine:3.20 linux/amd64 extra\n");
    assertThatThrownBy(() -> Sources.listFile(bad, List.of()))
        .hasMessageStartingWith("bad.txt:1: expected a reference and optional platforms");
    assertThatThrownBy(() -> Sources.platforms("linux", "--platform"))
        .hasMessage("--platform: not a platform: \"linux\" (expected os/arch[/variant])");
  }

  @Test
  void platformsMatchByOsArchitectureAndVariantWhenGiven() {
    Platform armV7 = new Platform("linux", "arm", "v7");
    Platform arm64 = new Platform("linux", "arm64", "v8");
    assertThat(Platform.firstCovering(List.of("linux/amd64", "linux/arm64"), arm64))
        .isEqualTo("linux/arm64");
    assertThat(Platform.firstCovering(List.of("linux/arm/v6"), armV7)).isNull();
    assertThat(Platform.firstCovering(List.of("linux/arm/v7"), armV7)).isEqualTo("linux/arm/v7");
    assertThat(Platform.firstCovering(List.of("linux/amd64"), null)).isNull();
  }

  @Test
  void referencesSplitIntoNameAndTagOrDigest() {
    assertThat(dev.berth.oci.ImageName.split("alpine"))
        .isEqualTo(new dev.berth.oci.ImageName.Parts("alpine", "latest"));
    assertThat(dev.berth.oci.ImageName.split("localhost:5001/team/app:1.2"))
        .isEqualTo(new dev.berth.oci.ImageName.Parts("localhost:5001/team/app", "1.2"));
    assertThat(dev.berth.oci.ImageName.split("localhost:5001/team/app"))
        .isEqualTo(new dev.berth.oci.ImageName.Parts("localhost:5001/team/app", "latest"));
    String digest = "sha256:" + "b".repeat(64);
    assertThat(dev.berth.oci.ImageName.split("ghcr.io/org/app:1.2@" + digest))
        .isEqualTo(new dev.berth.oci.ImageName.Parts("ghcr.io/org/app", digest));
  }
}
