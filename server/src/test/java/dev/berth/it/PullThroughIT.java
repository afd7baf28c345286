package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testing.Berth;
import dev.berth.testing.Cmd;
import dev.berth.testing.Digests;
import dev.berth.testing.Ports;
import dev.berth.testing.Registry;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.Relay;
import dev.berth.testing.TestImages;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pulls through Berth by real clients, from a real Distribution registry behind a relay. */
class PullThroughIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONTAINERD = "/var/run/docker/containerd/containerd.sock";

  static Registry registry;
  static Relay relay;
  static RegistryClient upstream;
  static TestImages.Index busybox;
  static TestImages.Index tool;

  @TempDir Path data;
  Berth berth;

  @BeforeAll
  static void startUpstream() {
    registry = Registry.start();
    relay = new Relay(registry.url());
    upstream = registry.client();
    busybox = TestImages.pushMultiArch(upstream, "library/busybox", "1.36");
    tool = TestImages.pushMultiArch(upstream, "org/tool", "v1");
  }

  @AfterAll
  static void stopUpstream() {
    relay.close();
    registry.close();
  }

  @BeforeEach
  void startBerth() {
    berth =
        Berth.start(
            data,
            """
            upstreams:
              - name: docker.io
                endpoints: ["%s"]
              - name: second.registry.test
                endpoints: ["%s"]
            """
                .formatted(relay.url(), relay.url()));
    relay.reset();
  }

  @AfterEach
  void stopBerth() {
    berth.close();
  }

  @Test
  void skopeoCopiesMultiArchIndexByteExactAndSecondCopyFetchesNoBlob(@TempDir Path out)
      throws Exception {
    skopeoCopyAll("busybox:1.36", out.resolve("first"));
    assertThat(indexDigest(out.resolve("first"))).isEqualTo(busybox.digest());
    long blobGets = relay.blobGets();
    assertThat(blobGets)
        .as("upstream blob GETs of the first copy: 2 layers, 2 configs")
        .isEqualTo(4);

    skopeoCopyAll("busybox:1.36", out.resolve("second"));
    assertThat(indexDigest(out.resolve("second"))).isEqualTo(busybox.digest());
    assertThat(relay.blobGets()).as("upstream blob GETs after the second copy").isEqualTo(blobGets);
  }

  @Test
  void berthIntroducesItselfToTheUpstreamByItsOwnName(@TempDir Path out) {
    skopeoCopyAll("busybox:1.36", out);
    assertThat(relay.userAgents()).isNotEmpty().allMatch(a -> a.startsWith("berth/"));
  }

  @Test
  void secondRegistryPullsByPathPrefix(@TempDir Path out) throws Exception {
    skopeoCopyAll("second.registry.test/org/tool:v1", out);
    assertThat(indexDigest(out)).isEqualTo(tool.digest());
  }

  @Test
  void namespaceQueryAndPathPrefixServeTheSameBytes() {
    RegistryClient client = berth.client();
    Map<String, String> acceptIndex = Map.of("accept", TestImages.OCI_INDEX);
    HttpResponse<byte[]> plain = client.get("/v2/busybox/manifests/1.36", acceptIndex);
    HttpResponse<byte[]> ns =
        client.get("/v2/library/busybox/manifests/1.36?ns=docker.io", acceptIndex);
    HttpResponse<byte[]> prefix =
        client.get("/v2/docker.io/library/busybox/manifests/1.36", acceptIndex);
    HttpResponse<byte[]> nsWithPrefix =
        client.get("/v2/docker.io/library/busybox/manifests/1.36?ns=docker.io", acceptIndex);
    for (HttpResponse<byte[]> res : List.of(plain, ns, prefix, nsWithPrefix)) {
      assertThat(res.statusCode()).isEqualTo(200);
      assertThat(res.body()).isEqualTo(busybox.bytes());
      assertThat(res.headers().firstValue("docker-content-digest")).hasValue(busybox.digest());
      assertThat(res.headers().firstValue("content-type")).hasValue(TestImages.OCI_INDEX);
    }
    assertThat(ns.headers().firstValue("oci-namespace")).hasValue("docker.io");
    assertThat(plain.headers().firstValue("oci-namespace")).isEmpty();
  }

  @Test
  void clientAcceptingOnlyImagesGetsTheAmd64Child() {
    HttpResponse<byte[]> res =
        berth.client().get("/v2/busybox/manifests/1.36", Map.of("accept", TestImages.OCI_MANIFEST));
    TestImages.Image amd64 = busybox.images().get(0);
    assertThat(amd64.platform()).isEqualTo("linux/amd64");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body()).isEqualTo(amd64.manifest());
    assertThat(res.headers().firstValue("docker-content-digest")).hasValue(amd64.digest());

    HttpResponse<byte[]> none =
        berth
            .client()
            .get(
                "/v2/busybox/manifests/1.36",
                Map.of("accept", "application/vnd.docker.distribution.manifest.v2+json"));
    assertThat(none.statusCode()).isEqualTo(404);
    assertThat(new String(none.body())).contains("MANIFEST_UNKNOWN").contains("linux/amd64");

    // By digest, the client gets the bytes of that digest, whatever it accepts.
    HttpResponse<byte[]> byDigest =
        berth
            .client()
            .get(
                "/v2/busybox/manifests/" + busybox.digest(),
                Map.of("accept", TestImages.OCI_MANIFEST));
    assertThat(byDigest.statusCode()).isEqualTo(200);
    assertThat(byDigest.body()).isEqualTo(busybox.bytes());
  }

  @Test
  void metricsCountHitsAndMisses() {
    RegistryClient client = berth.client();
    String layer = busybox.images().get(0).layers().get(0);
    assertThat(client.get("/v2/busybox/blobs/" + layer).statusCode()).isEqualTo(200);
    assertThat(client.get("/v2/busybox/blobs/" + layer).statusCode()).isEqualTo(200);
    client.get("/v2/busybox/manifests/1.36");
    client.get("/v2/busybox/manifests/1.36");
    String metrics = new String(client.get("/metrics").body());
    assertThat(metrics)
        .contains("berth_cache_requests_total{kind=\"blob\",result=\"miss\"} 1.0")
        .contains("berth_cache_requests_total{kind=\"blob\",result=\"hit\"} 1.0")
        .contains("berth_cache_requests_total{kind=\"manifest\",result=\"miss\"} 1.0")
        .contains("berth_cache_requests_total{kind=\"manifest\",result=\"hit\"} 1.0")
        .containsPattern(
            "berth_upstream_requests_total\\{status=\"200\",upstream=\"docker.io\"\\} [1-9]")
        .containsPattern("berth_bytes_served_total [1-9]")
        .containsPattern("berth_bytes_fetched_total [1-9]");
  }

  @Test
  void ctrPullsThroughBerthAsMirror(@TempDir Path hosts) throws Exception {
    // BuildKit's resolver: Berth is a mirror, and requests carry ?ns=docker.io. The fallback server
    // is a closed port, so a failing mirror cannot hide behind the real registry.
    Path dir = Files.createDirectories(hosts.resolve("docker.io"));
    Files.writeString(
        dir.resolve("hosts.toml"),
        """
        server = "http://127.0.0.1:%d"
        [host."http://%s"]
          capabilities = ["pull", "resolve"]
        """
            .formatted(Ports.free(), berth.address()));
    String ref = "docker.io/library/busybox:1.36";
    List<String> ctr = List.of("ctr", "-a", CONTAINERD, "-n", "berth-test");
    Cmd.run(concat(ctr, "images", "rm", ref));
    Cmd.run(concat(ctr, "images", "pull", "--hosts-dir", hosts.toString(), ref)).ok();
    String listed = Cmd.run(concat(ctr, "images", "ls", "-q")).ok().out();
    assertThat(listed).contains(ref);
    String check = Cmd.run(concat(ctr, "images", "check")).ok().out();
    assertThat(check).contains(ref).contains(busybox.digest());
    Cmd.run(concat(ctr, "images", "rm", ref)).ok();
    assertThat(relay.count(r -> r.contains("/v2/library/busybox/manifests/1.36"))).isPositive();
  }

  @Test
  void registriesConfMirrorsWorkForDockerHubAndByPathPrefix(@TempDir Path dir) throws Exception {
    // podman, buildah and skopeo share this resolver; the real locations are closed ports, so a
    // failing mirror cannot hide behind them.
    Path conf =
        Files.writeString(
            dir.resolve("registries.conf"),
            """
            [[registry]]
            prefix = "docker.io"
            location = "127.0.0.1:%1$d"
            [[registry.mirror]]
            location = "%2$s"
            insecure = true

            [[registry]]
            prefix = "second.registry.test"
            location = "127.0.0.1:%1$d"
            [[registry.mirror]]
            location = "%2$s/second.registry.test"
            insecure = true
            """
                .formatted(Ports.free(), berth.address()));
    for (String ref :
        List.of("docker.io/library/busybox:1.36", "second.registry.test/org/tool:v1")) {
      Path out = dir.resolve(ref.replaceAll("[^a-z0-9]", "_"));
      Cmd.run(
              List.of(
                  "skopeo",
                  "--registries-conf",
                  conf.toString(),
                  "copy",
                  "--all",
                  "docker://" + ref,
                  "oci:" + out))
          .ok();
      assertThat(indexDigest(out))
          .isEqualTo(ref.startsWith("docker.io") ? busybox.digest() : tool.digest());
    }
  }

  private static List<String> concat(List<String> head, String... tail) {
    List<String> all = new java.util.ArrayList<>(head);
    all.addAll(List.of(tail));
    return all;
  }

  private void skopeoCopyAll(String ref, Path dir) {
    Cmd.skopeoCopyAll(berth.address(), ref, dir);
  }

  private static String indexDigest(Path layout) throws Exception {
    JsonNode index = JSON.readTree(Files.readAllBytes(layout.resolve("index.json")));
    String digest = index.path("manifests").path(0).path("digest").asText();
    Path blob = layout.resolve("blobs/sha256/" + digest.substring("sha256:".length()));
    assertThat(Digests.sha256(Files.readAllBytes(blob))).isEqualTo(digest);
    return digest;
  }
}
