package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testing.Berth;
import dev.berth.testing.Cmd;
import dev.berth.testing.TestImages;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory written by the release before membership records (format version 1: a multi-arch
 * image and another image pulled through, a local image pushed with a referrer) keeps serving
 * everything it held, offline, under the names it held it; and nothing under other names.
 */
class DataDirectoryUpgradeIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String INDEX =
      "sha256:99666b36172b576fb917a12ef9d9fb1917e20e6537a13b30dc314fdc15aa6771";
  private static final List<String> IMAGES =
      List.of(
          "sha256:bf212ef7a06479f6a73dca87ea892194a7a328303ba7442b1223ece290846a65",
          "sha256:02150da55dff0a7f452e2559798bc405393fb0da69d2e01d539b9daa16766304");
  private static final String OTHER =
      "sha256:6bc1e11d5280ade154ac619b468682bce86268e7fc8487373c54dbefcedc6301";
  private static final String TEAM =
      "sha256:c7a2db0381117f0613ec2e662b5bf36506e9edd9c98d9a7f63c33a6ee180ac2d";
  private static final String REFERRER =
      "sha256:e5fd97cee4a55e12dc76b2239822e292f99697965cc5e56211dca700a5698e90";

  @Test
  void aVersionOneDirectoryServesWhatItHeldOfflineAndNothingElse(@TempDir Path dir)
      throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Path archive = Path.of(DataDirectoryUpgradeIT.class.getResource("/datadir-v1.tar.gz").toURI());
    Cmd.run(List.of("tar", "-xzf", archive.toString(), "-C", data.toString())).ok();
    assertThat(data.resolve("format-version")).hasContent("1");
    try (Berth berth =
        Berth.start(
            data,
            Berth.dockerHubAt("http://127.0.0.1:9", "offline: true\nlocalPrefixes: [team]\n"))) {
      assertThat(data.resolve("format-version")).hasContent("2");
      HttpResponse<byte[]> index = get(berth, "/v2/library/app/manifests/1");
      assertThat(index.statusCode()).isEqualTo(200);
      assertThat(index.headers().firstValue("docker-content-digest")).contains(INDEX);
      assertThat(index.headers().firstValue("content-type")).contains(TestImages.OCI_INDEX);
      List<String> appBlobs = new ArrayList<>();
      for (String image : IMAGES) {
        HttpResponse<byte[]> m = get(berth, "/v2/library/app/manifests/" + image);
        assertThat(m.statusCode()).isEqualTo(200);
        appBlobs.addAll(blobsOf(m.body()));
      }
      HttpResponse<byte[]> other = get(berth, "/v2/library/other/manifests/1");
      assertThat(other.statusCode()).isEqualTo(200);
      assertThat(get(berth, "/v2/library/other/manifests/" + OTHER).statusCode()).isEqualTo(200);
      List<String> otherBlobs = blobsOf(other.body());
      assertServed(berth, "library/app", appBlobs);
      assertServed(berth, "library/other", otherBlobs);
      HttpResponse<byte[]> team = get(berth, "/v2/team/app/manifests/1");
      assertThat(team.headers().firstValue("docker-content-digest")).contains(TEAM);
      assertServed(berth, "team/app", blobsOf(team.body()));
      assertThat(get(berth, "/v2/team/app/manifests/" + REFERRER).statusCode()).isEqualTo(200);
      assertThat(new String(get(berth, "/v2/team/app/referrers/" + TEAM).body()))
          .contains(REFERRER);

      // Held, but not by these repositories (the layers: library/other's amd64 config is also
      // library/app's, legitimately).
      assertThat(get(berth, "/v2/library/other/manifests/" + IMAGES.get(0)).statusCode())
          .isEqualTo(404);
      assertThat(get(berth, "/v2/library/other/blobs/" + appBlobs.get(1)).statusCode())
          .isEqualTo(404);
      assertThat(get(berth, "/v2/library/app/blobs/" + otherBlobs.get(1)).statusCode())
          .isEqualTo(404);
      assertThat(get(berth, "/v2/team/x/blobs/" + blobsOf(team.body()).get(1)).statusCode())
          .isEqualTo(404);
      assertThat(get(berth, "/v2/team/x/manifests/" + TEAM).statusCode()).isEqualTo(404);
      assertThat(get(berth, "/v2/library/app/blobs/" + otherBlobs.get(0)).statusCode())
          .as("a config both images share")
          .isEqualTo(200);
    }
  }

  private static void assertServed(Berth berth, String repository, List<String> blobs) {
    for (String blob : blobs) {
      HttpResponse<byte[]> res = get(berth, "/v2/" + repository + "/blobs/" + blob);
      assertThat(res.statusCode()).as(repository + "@" + blob).isEqualTo(200);
    }
  }

  private static List<String> blobsOf(byte[] manifest) throws Exception {
    JsonNode json = JSON.readTree(manifest);
    List<String> out = new ArrayList<>();
    out.add(json.path("config").path("digest").asText());
    json.path("layers").forEach(l -> out.add(l.path("digest").asText()));
    return out;
  }

  private static HttpResponse<byte[]> get(Berth berth, String path) {
    return berth
        .client()
        .get(path, Map.of("accept", TestImages.OCI_INDEX + "," + TestImages.OCI_MANIFEST));
  }
}
