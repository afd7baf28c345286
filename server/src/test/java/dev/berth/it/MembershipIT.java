package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.HttpStatus;
import dev.berth.testing.Berth;
import dev.berth.testing.Htpasswd;
import dev.berth.testing.Http;
import dev.berth.testing.Registry;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.Relay;
import dev.berth.testing.TestImages;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A digest is not a capability: Berth serves a manifest or blob under a repository only when that
 * repository holds it (fetched, pushed or imported as its content, or confirmed by its upstream),
 * with and without {@code auth}, for reads, pushes and mounts. Berth holds upstream credentials, so
 * without this a client could read what Berth fetched for another repository by naming its digest.
 */
class MembershipIT {
  private static final String ALICE = "alice:alice-pw";
  private static final String ADMIN = "admin:admin-pw";
  private static final String CI = "ci:ci-pw";

  @TempDir static Path dir;
  static Registry registry;
  static Relay relay;
  static Berth berth;
  static Berth open;
  static TestImages.Image busybox;
  static TestImages.Index multi;
  static TestImages.Image sharedInMulti;

  @BeforeAll
  static void start() throws Exception {
    registry = Registry.start();
    relay = new Relay(registry.url());
    RegistryClient up = registry.client();
    busybox = TestImages.pushImage(up, "accept/busybox", "linux/amd64", "busybox only");
    up.pushManifest("accept/busybox", "1", TestImages.OCI_MANIFEST, busybox.manifest());
    multi = TestImages.pushMultiArch(up, "accept/multi", "1");
    // The same layer in both repositories upstream: busybox may have it once its upstream says so.
    TestImages.Image sharedInBusybox =
        TestImages.pushImage(up, "accept/busybox", "linux/amd64", "shared");
    sharedInMulti = TestImages.pushImage(up, "accept/multi", "linux/amd64", "shared");
    assertThat(sharedInBusybox.layers()).isEqualTo(sharedInMulti.layers());
    Path users = Htpasswd.write(dir, ALICE, ADMIN, CI);
    String upstreams =
        """
        upstreams:
          - name: docker.io
            endpoints: ["%1$s"]
          - name: other.test
            endpoints: ["%1$s"]
          - name: push.test
            endpoints: ["%1$s"]
            push: true
        """
            .formatted(relay.url());
    berth =
        Berth.start(
            dir.resolve("data"),
            """
            localPrefixes: [private]
            auth:
              htpasswd: "%s"
              rules:
                - users: [alice]
                  pull: ["docker.io/accept/busybox"]
                - users: [admin]
                  pull: ["docker.io/"]
                - users: [ci]
                  push: ["local/private/", "push.test/"]
                - users: [anonymous]
                  pull: ["other.test/"]
            """
                    .formatted(users)
                + upstreams);
    open = Berth.start(dir.resolve("open"), "localPrefixes: [private]\n" + upstreams);
  }

  @AfterEach
  void heal() {
    relay.failWith(null);
  }

  @AfterAll
  static void stop() {
    open.close();
    berth.close();
    relay.close();
    registry.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET", "HEAD"})
  void aUserCannotReadAnotherRepositorysCachedContentByItsDigest(String method) {
    String index = multi.digest();
    String onlyInMulti = multi.images().get(0).layers().get(0);
    assertThat(status(method, "/v2/accept/busybox/manifests/" + index, ALICE)).isEqualTo(404);
    assertThat(status(method, "/v2/accept/multi/manifests/" + index, ADMIN)).isEqualTo(200);
    assertThat(status(method, "/v2/accept/multi/blobs/" + onlyInMulti, ADMIN)).isEqualTo(200);
    // Cached now, for accept/multi: still not accept/busybox's, as its upstream says.
    HttpResponse<String> manifest = send(method, "/v2/accept/busybox/manifests/" + index, ALICE);
    assertThat(manifest.statusCode()).isEqualTo(404);
    HttpResponse<String> blob = send(method, "/v2/accept/busybox/blobs/" + onlyInMulti, ALICE);
    assertThat(blob.statusCode()).isEqualTo(404);
    if (method.equals("GET")) {
      assertThat(manifest.body()).contains("MANIFEST_UNKNOWN");
      assertThat(blob.body()).contains("BLOB_UNKNOWN");
    }
    // alice's own content is served.
    assertThat(status(method, "/v2/accept/busybox/manifests/1", ALICE)).isEqualTo(200);
    assertThat(status(method, "/v2/accept/busybox/blobs/" + busybox.layers().get(0), ALICE))
        .isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET", "HEAD"})
  void withoutAuthNobodyReadsCachedContentUnderAnotherName(String method) {
    String index = multi.digest();
    String onlyInMulti = multi.images().get(1).layers().get(0);
    assertThat(openStatus("GET", "/v2/accept/multi/manifests/" + index)).isEqualTo(200);
    assertThat(openStatus("GET", "/v2/accept/multi/blobs/" + onlyInMulti)).isEqualTo(200);
    assertThat(openStatus(method, "/v2/accept/busybox/manifests/" + index)).isEqualTo(404);
    assertThat(openStatus(method, "/v2/accept/busybox/blobs/" + onlyInMulti)).isEqualTo(404);
    assertThat(openStatus(method, "/v2/other.test/probe/img/blobs/" + onlyInMulti)).isEqualTo(404);
  }

  @Test
  void aBlobPushedToALocalRepositoryIsNotServedUnderAnUpstreamName() {
    byte[] secret = "private bytes".getBytes(StandardCharsets.UTF_8);
    String digest = berth.client().withBasic(CI).pushBlob("private/secret", secret);
    assertThat(status("GET", "/v2/private/secret/blobs/" + digest, null)).isEqualTo(401);
    assertThat(status("GET", "/v2/private/secret/blobs/" + digest, CI)).isEqualTo(200);
    for (String method : List.of("GET", "HEAD")) {
      assertThat(status(method, "/v2/other.test/probe/img/blobs/" + digest, null)).isEqualTo(404);
    }
    String openDigest = open.client().pushBlob("private/secret", secret);
    assertThat(openStatus("GET", "/v2/other.test/probe/img/blobs/" + openDigest)).isEqualTo(404);
    assertThat(openStatus("GET", "/v2/private/other/blobs/" + openDigest)).isEqualTo(404);
  }

  @Test
  void theUpstreamConfirmsSharedContentOnceAndTheAnswerIsKept() {
    String shared = sharedInMulti.layers().get(0);
    assertThat(status("GET", "/v2/accept/multi/blobs/" + shared, ADMIN)).isEqualTo(200);
    relay.reset();
    assertThat(status("GET", "/v2/accept/busybox/blobs/" + shared, ALICE)).isEqualTo(200);
    assertThat(relay.requests())
        .as("the stored blob is confirmed, not fetched again")
        .containsExactly("HEAD /v2/accept/busybox/blobs/" + shared);
    relay.reset();
    assertThat(status("GET", "/v2/accept/busybox/blobs/" + shared, ALICE)).isEqualTo(200);
    assertThat(status("HEAD", "/v2/accept/busybox/blobs/" + shared, ALICE)).isEqualTo(200);
    assertThat(relay.requests()).isEmpty();
  }

  @Test
  void whileTheUpstreamIsDownOnlyMembersAreServed() {
    String onlyInMulti = multi.images().get(0).layers().get(0);
    assertThat(status("GET", "/v2/accept/multi/blobs/" + onlyInMulti, ADMIN)).isEqualTo(200);
    assertThat(status("GET", "/v2/accept/busybox/manifests/1", ALICE)).isEqualTo(200);
    assertThat(status("GET", "/v2/accept/busybox/blobs/" + busybox.layers().get(0), ALICE))
        .isEqualTo(200);
    relay.failWith(HttpStatus.SERVICE_UNAVAILABLE);
    assertThat(status("GET", "/v2/accept/busybox/blobs/" + busybox.layers().get(0), ALICE))
        .isEqualTo(200);
    assertThat(status("GET", "/v2/accept/multi/blobs/" + onlyInMulti, ADMIN)).isEqualTo(200);
    HttpResponse<String> other = send("GET", "/v2/accept/busybox/blobs/" + onlyInMulti, ALICE);
    assertThat(other.statusCode()).isNotEqualTo(200);
    assertThat(other.body()).doesNotContain("hello");
  }

  @Test
  void aManifestPushMayNameOnlyContentItsRepositoryHolds() {
    RegistryClient ci = berth.client().withBasic(CI);
    byte[] config =
        "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
    String configDigest = ci.pushBlob("private/app", config);
    String foreign = multi.images().get(0).layers().get(0);
    assertThat(status("GET", "/v2/accept/multi/blobs/" + foreign, ADMIN)).isEqualTo(200);
    byte[] stealing =
        TestImages.manifest(configDigest, config.length, List.of(foreign), List.of(1L));
    HttpResponse<String> put = putManifest("/v2/private/app/manifests/x", stealing, CI);
    assertThat(put.statusCode()).isEqualTo(404);
    assertThat(put.body()).contains("MANIFEST_BLOB_UNKNOWN").contains(foreign);
    // Pushed to another repository of the client's: still not this one's.
    String mine = ci.pushBlob("private/other", "layer".getBytes(StandardCharsets.UTF_8));
    byte[] elsewhere = TestImages.manifest(configDigest, config.length, List.of(mine), List.of(5L));
    assertThat(putManifest("/v2/private/app/manifests/y", elsewhere, CI).statusCode())
        .isEqualTo(404);
    // Mounted from there, it is.
    HttpResponse<String> mount =
        send("POST", "/v2/private/app/blobs/uploads/?mount=" + mine + "&from=private/other", CI);
    assertThat(mount.statusCode()).isEqualTo(201);
    assertThat(putManifest("/v2/private/app/manifests/y", elsewhere, CI).statusCode())
        .isEqualTo(201);
  }

  @Test
  void aMountNeedsASourceTheClientMayReadThatHoldsTheDigest() {
    String foreign = multi.images().get(1).layers().get(0);
    assertThat(status("GET", "/v2/accept/multi/blobs/" + foreign, ADMIN)).isEqualTo(200);
    for (String from : List.of("accept/multi", "accept/busybox", "nowhere@x.gcr.io/a", "")) {
      HttpResponse<String> mount =
          send("POST", "/v2/private/m/blobs/uploads/?mount=" + foreign + "&from=" + from, CI);
      assertThat(mount.statusCode()).as("mount from " + from).isEqualTo(202);
      assertThat(mount.headers().firstValue("location")).isPresent();
    }
    assertThat(status("GET", "/v2/private/m/blobs/" + foreign, CI)).isEqualTo(404);
  }

  @Test
  void anUpstreamPushTargetGetsNoCopyOfContentItsRepositoryLacks() {
    String foreign = multi.images().get(0).layers().get(0);
    assertThat(status("GET", "/v2/accept/multi/blobs/" + foreign, ADMIN)).isEqualTo(200);
    relay.reset();
    assertThat(status("HEAD", "/v2/push.test/team/app/blobs/" + foreign, CI)).isEqualTo(404);
    assertThat(relay.requests()).contains("HEAD /v2/team/app/blobs/" + foreign);
    RegistryClient ci = berth.client().withBasic(CI);
    byte[] config = "{\"architecture\":\"arm\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
    String configDigest = ci.pushBlob("push.test/team/app", config);
    byte[] stealing =
        TestImages.manifest(configDigest, config.length, List.of(foreign), List.of(1L));
    HttpResponse<String> put = putManifest("/v2/push.test/team/app/manifests/1", stealing, CI);
    assertThat(put.statusCode()).isEqualTo(404);
    assertThat(put.body()).contains("MANIFEST_BLOB_UNKNOWN");
    assertThat(
            registry.client().send("HEAD", "/v2/team/app/blobs/" + foreign, Map.of()).statusCode())
        .isEqualTo(404);
    assertThat(registry.client().send("HEAD", "/v2/team/app/manifests/1", Map.of()).statusCode())
        .isEqualTo(404);
  }

  private static int status(String method, String path, String userPass) {
    return send(method, path, userPass).statusCode();
  }

  private static int openStatus(String method, String path) {
    return Http.send(method, "http://" + open.address() + path, null, Map.of()).statusCode();
  }

  private static HttpResponse<String> send(String method, String path, String userPass) {
    return Http.send(
        method,
        "http://" + berth.address() + path,
        null,
        userPass == null ? Map.of() : Http.basic(userPass));
  }

  private static HttpResponse<String> putManifest(String path, byte[] body, String userPass) {
    Map<String, String> headers = new java.util.HashMap<>(Http.basic(userPass));
    headers.put("content-type", TestImages.OCI_MANIFEST);
    return Http.send("PUT", "http://" + berth.address() + path, body, headers);
  }
}
