package dev.berth.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.errors.OciError;
import dev.berth.errors.RegistryException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What Berth reads from a manifest, and the form a pushed one must have: written once, in oci. */
class ManifestTest {
  private static final String A =
      "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  private static final String IMAGE = "application/vnd.oci.image.manifest.v1+json";
  private static final String INDEX = "application/vnd.oci.image.index.v1+json";
  private static final String B = "sha256:" + "b".repeat(64);
  private static final String C = "sha256:" + "c".repeat(64);

  @Test
  void theTypeConstantsAreTheMediaTypes() {
    assertThat(IMAGE).isEqualTo(MediaTypes.OCI_MANIFEST);
    assertThat(INDEX).isEqualTo(MediaTypes.OCI_INDEX);
  }

  private static byte[] json(String text) {
    return text.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }

  private static String descriptor(String type, String digest) {
    return "{'mediaType':'" + type + "','digest':'" + digest + "','size':1}";
  }

  @Test
  void anImageNamesItsConfigAndLayersItsSubjectAndListsAsAReferrer() {
    Manifest m =
        ManifestFormat.check(
            json(
                "{'schemaVersion':2,'mediaType':'"
                    + MediaTypes.OCI_MANIFEST
                    + "','artifactType':'application/x-sbom','config':"
                    + descriptor("application/vnd.oci.empty.v1+json", A)
                    + ",'layers':["
                    + descriptor("application/x-sbom", B)
                    + "],'subject':"
                    + descriptor(MediaTypes.OCI_MANIFEST, C)
                    + ",'annotations':{'k':'v'}}"),
            MediaTypes.OCI_MANIFEST);
    assertThat(m.named().blobs()).containsExactly(Digest.of(A), Digest.of(B));
    assertThat(m.named().manifests()).isEmpty();
    assertThat(m.subject()).contains(Digest.of(C));
    assertThat(m.named().subject()).isEqualTo(Digest.of(C));
    var referrer = m.referrerDescriptor();
    assertThat(referrer.path("digest").asText()).isEqualTo(m.digest().toString());
    assertThat(referrer.path("size").asLong()).isEqualTo(m.bytes().length);
    assertThat(referrer.path("artifactType").asText()).isEqualTo("application/x-sbom");
    assertThat(referrer.path("annotations").path("k").asText()).isEqualTo("v");
  }

  @Test
  void anIndexNamesManifestEntriesAsManifestsAndOtherEntriesAsBlobs() {
    // BuildKit's cache index lists layers beside its config entry.
    Manifest index =
        ManifestFormat.check(
            json(
                "{'schemaVersion':2,'manifests':["
                    + descriptor(MediaTypes.OCI_MANIFEST, A)
                    + ","
                    + descriptor("application/vnd.docker.distribution.manifest.v2+json", B)
                    + ","
                    + descriptor("application/vnd.buildkit.cacheconfig.v0", C)
                    + "]}"),
            INDEX);
    assertThat(index.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(index.named().manifests()).containsExactly(Digest.of(A), Digest.of(B));
    assertThat(index.named().blobs()).containsExactly(Digest.of(C));
    assertThat(index.subject()).isEmpty();
    assertThat(index.named().subject()).isNull();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "not JSON|[1,|" + IMAGE + "|not JSON",
        "not an object|[1]|" + IMAGE + "|not a JSON object",
        "no type at all|{'schemaVersion':2,'layers':[]}||neither Content-Type nor mediaType",
        "not a manifest type|{'schemaVersion':2}|text/plain|not a manifest type",
        "types disagree|{'schemaVersion':2,'mediaType':'"
            + INDEX
            + "','manifests':[]}|"
            + IMAGE
            + "|differs from the manifest's mediaType",
        "an index type without manifests|{'schemaVersion':2}|" + INDEX + "|lists no manifests",
        "schemaVersion 1|{'schemaVersion':1,'manifests':[]}|" + INDEX + "|schemaVersion is 1",
        "no config|{'schemaVersion':2,'layers':[]}|" + IMAGE + "|config is not a descriptor",
        "a layer without a size|{'schemaVersion':2,'config':{'mediaType':'a','digest':'"
            + A
            + "','size':1},'layers':[{'mediaType':'a','digest':'"
            + A
            + "'}]}|"
            + IMAGE
            + "|layers[0].size is not a size",
        "a subject with a bad digest|{'schemaVersion':2,'manifests':[],'subject':{'digest':'x'}}|"
            + INDEX
            + "|subject.digest",
      })
  void aManifestWithoutItsFormIsInvalidAndSaysWhy(
      String what, String body, String contentType, String says) {
    assertThatThrownBy(() -> ManifestFormat.check(json(body), contentType))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> assertThat(e.error()).isEqualTo(OciError.MANIFEST_INVALID))
        .hasMessageContaining(says);
  }
}
