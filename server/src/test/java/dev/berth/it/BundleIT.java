package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.Berth;
import dev.berth.testing.BerthProcess;
import dev.berth.testing.Cmd;
import dev.berth.testing.Digests;
import dev.berth.testing.Registry;
import dev.berth.testing.Relay;
import dev.berth.testing.SharedBackends;
import dev.berth.testing.TestImages;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Air-gapped bundles: {@code berth export} on one Berth writes an OCI image layout archive that
 * skopeo reads directly, and {@code berth import} loads it into a fresh data directory whose Berth,
 * offline, serves the images under their names with their original digests.
 */
class BundleIT {
  private static String config(String upstream, String extra) {
    return extra
        + """
        upstreams:
          - name: docker.io
          - name: registry.test
            endpoints: ["%s"]
            credentials: {source: none}
        """
            .formatted(upstream);
  }

  private static Cmd.Result berth(String... args) {
    return Cmd.run(BerthProcess.command(List.of(), List.of(args)), 200);
  }

  @Test
  void exportedOnOneBerthImportedIntoAnOfflineOneWithTheSameDigests(@TempDir Path dir)
      throws Exception {
    try (Registry upstream = Registry.start();
        Relay relay = new Relay(upstream.url())) {
      TestImages.Index index = TestImages.pushMultiArch(upstream.client(), "library/exp", "1");
      TestImages.Index other = TestImages.pushMultiArch(upstream.client(), "team/tools", "2");
      Path bundle = dir.resolve("bundle.tar");
      try (Berth online = Berth.start(dir.resolve("online"), config(relay.url(), ""))) {
        Cmd.Result export =
            berth(
                "export",
                "-o",
                bundle.toString(),
                "--berth",
                online.address(),
                "registry.test/library/exp:1",
                "registry.test/team/tools:2");
        assertThat(export.exit()).as(export.out() + export.err()).isZero();
        assertThat(export.out()).contains("2 images, 6 manifests");
      }

      // skopeo reads the archive as it is.
      Path direct = dir.resolve("direct");
      Cmd.run(
              List.of(
                  "skopeo",
                  "--override-arch",
                  "arm64",
                  "copy",
                  "oci-archive:" + bundle + ":registry.test/library/exp:1",
                  "dir:" + direct))
          .ok();
      assertThat(Digests.sha256(Files.readAllBytes(direct.resolve("manifest.json"))))
          .isEqualTo(index.images().get(1).digest());

      // ctr imports it under the images' full names.
      List<String> ctr =
          List.of("ctr", "-a", "/var/run/docker/containerd/containerd.sock", "-n", "berth-bundle");
      List<String> load = new ArrayList<>(ctr);
      load.addAll(List.of("images", "import", "--all-platforms", bundle.toString()));
      List<String> list = new ArrayList<>(ctr);
      list.addAll(List.of("images", "ls", "-q"));
      try {
        Cmd.run(load).ok();
        assertThat(Cmd.run(list).ok().out())
            .contains("registry.test/library/exp:1")
            .contains("registry.test/team/tools:2");
      } finally {
        List<String> rm = new ArrayList<>(ctr);
        rm.addAll(
            List.of("images", "rm", "registry.test/library/exp:1", "registry.test/team/tools:2"));
        Cmd.run(rm);
      }

      Path fresh = dir.resolve("fresh");
      List<String> importing = new ArrayList<>(List.of("import", bundle.toString()));
      importing.addAll(List.of("--data", fresh.toString()));
      importing.addAll(SharedBackends.configArgs(fresh));
      Cmd.Result imported = berth(importing.toArray(String[]::new));
      assertThat(imported.exit()).as(imported.out() + imported.err()).isZero();
      assertThat(imported.out()).contains("imported 2 images");

      relay.reset();
      try (Berth offline = Berth.start(fresh, config(relay.url(), "offline: true\n"))) {
        for (var image : List.of(index, other)) {
          String name = image == index ? "library/exp:1" : "team/tools:2";
          Path copy = dir.resolve("copy-" + name.replace('/', '-').replace(':', '-'));
          Cmd.run(
                  List.of(
                      "skopeo",
                      "copy",
                      "--all",
                      "--src-tls-verify=false",
                      "docker://" + offline.address() + "/registry.test/" + name,
                      "dir:" + copy))
              .ok();
          assertThat(Digests.sha256(Files.readAllBytes(copy.resolve("manifest.json"))))
              .isEqualTo(image.digest());
        }
      }
      assertThat(relay.requests()).as("requests from the offline Berth").isEmpty();
    }
  }

  @Test
  void anArchiveWithABlobThatIsNotWhatItsNameSaysIsRefusedAndNothingIsStored(@TempDir Path dir)
      throws Exception {
    byte[] real = "the real layer".getBytes(StandardCharsets.UTF_8);
    String named = Digests.sha256(real);
    Path bundle = dir.resolve("bad.tar");
    try (OutputStream out = Files.newOutputStream(bundle);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      entry(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
      entry(tar, "blobs/sha256/" + named.substring(7), "a different layer");
      entry(tar, "index.json", "{\"schemaVersion\":2,\"manifests\":[]}");
    }
    Path data = dir.resolve("data");
    Cmd.Result imported = berth("import", bundle.toString(), "--data", data.toString());
    assertThat(imported.exit()).isEqualTo(1);
    assertThat(imported.err()).contains(named).contains("holds bytes with digest");
    List<Path> stored = new ArrayList<>();
    try (Stream<Path> files = Files.walk(data)) {
      files
          .filter(Files::isRegularFile)
          .filter(f -> !f.getFileName().toString().equals("format-version"))
          .forEach(stored::add);
    }
    assertThat(stored).isEmpty();
  }

  private static void entry(TarArchiveOutputStream tar, String name, String content)
      throws Exception {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(bytes.length);
    tar.putArchiveEntry(e);
    tar.write(bytes);
    tar.closeArchiveEntry();
  }
}
