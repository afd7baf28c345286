package dev.berth.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.errors.OciError;
import java.io.IOException;

/**
 * The form a manifest must have to be stored: JSON of one of the manifest types (OCI image manifest
 * or index, Docker v2 manifest or manifest list; artifacts are OCI manifests), a type that its
 * {@code Content-Type}, its {@code mediaType} and its fields agree on, and descriptors every client
 * can read. Anything else is {@code MANIFEST_INVALID}, naming what is wrong.
 */
public final class ManifestFormat {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ManifestFormat() {}

  /**
   * The manifest {@code bytes}, sent as {@code contentType} (null or blank when none was sent), of
   * the type they are sent as; {@code MANIFEST_INVALID} unless they have the form above.
   */
  public static Manifest check(byte[] bytes, String contentType) {
    JsonNode json;
    try {
      json = JSON.readTree(bytes);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw OciError.MANIFEST_INVALID.with("the manifest is not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw OciError.MANIFEST_INVALID.with("the manifest cannot be read: " + e);
    }
    if (json == null || !json.isObject()) {
      throw OciError.MANIFEST_INVALID.with("the manifest is not a JSON object");
    }
    String type = type(json, contentType);
    checkShape(json, type);
    if (json.path("subject").isObject()) {
      digest(json.path("subject"), "subject");
    }
    return Manifest.of(bytes, type);
  }

  /**
   * The structure every client relies on: {@code schemaVersion} 2; an image manifest has a {@code
   * config} descriptor and a {@code layers} list of descriptors, an index a {@code manifests} list
   * of them; a descriptor has a {@code mediaType}, a valid {@code digest} and a {@code size} of 0
   * or more.
   */
  private static void checkShape(JsonNode json, String type) {
    if (!json.path("schemaVersion").isIntegralNumber() || json.path("schemaVersion").asInt() != 2) {
      throw OciError.MANIFEST_INVALID.with(
          "schemaVersion is " + json.path("schemaVersion") + " (expected: 2)");
    }
    if (MediaTypes.isIndex(type)) {
      descriptors(json, "manifests");
      return;
    }
    descriptor(json.path("config"), "config");
    descriptors(json, "layers");
  }

  private static void descriptors(JsonNode json, String field) {
    JsonNode list = json.path(field);
    if (!list.isArray()) {
      throw OciError.MANIFEST_INVALID.with(field + " is not a list of descriptors");
    }
    for (int i = 0; i < list.size(); i++) {
      descriptor(list.get(i), field + "[" + i + "]");
    }
  }

  private static void descriptor(JsonNode d, String where) {
    if (!d.isObject()) {
      throw OciError.MANIFEST_INVALID.with(where + " is not a descriptor");
    }
    if (!d.path("mediaType").isTextual() || d.path("mediaType").asText().isEmpty()) {
      throw OciError.MANIFEST_INVALID.with(where + ".mediaType is missing");
    }
    if (!d.path("size").isIntegralNumber() || d.path("size").asLong() < 0) {
      throw OciError.MANIFEST_INVALID.with(where + ".size is not a size: " + d.path("size"));
    }
    digest(d, where);
  }

  private static void digest(JsonNode d, String where) {
    try {
      Digest.of(d.path("digest").asText(""));
    } catch (IllegalArgumentException e) {
      throw OciError.MANIFEST_INVALID.with(where + ".digest: " + e.getMessage());
    }
  }

  /**
   * The manifest type of a push: its {@code Content-Type} (else the {@code mediaType} it declares),
   * which must be a manifest type, agree with a declared {@code mediaType}, and fit the JSON (an
   * index lists {@code manifests}, an image manifest does not). Any other type would be served to
   * every client that pulls these bytes.
   */
  private static String type(JsonNode json, String contentType) {
    String declared = json.path("mediaType").asText("");
    String type =
        contentType == null || contentType.isBlank() ? declared : MediaTypes.bare(contentType);
    if (type.isEmpty()) {
      throw OciError.MANIFEST_INVALID.with("neither Content-Type nor mediaType names the type");
    }
    if (!MediaTypes.isManifest(type)) {
      throw OciError.MANIFEST_INVALID.with(
          "Content-Type "
              + type
              + " is not a manifest type (expected: "
              + String.join(", ", MediaTypes.ACCEPTED_FROM_UPSTREAM)
              + ")");
    }
    if (!declared.isEmpty() && !MediaTypes.bare(declared).equals(type)) {
      throw OciError.MANIFEST_INVALID.with(
          "Content-Type " + type + " differs from the manifest's mediaType " + declared);
    }
    if (MediaTypes.isIndex(type) != json.has("manifests")) {
      throw OciError.MANIFEST_INVALID.with(
          type
              + (MediaTypes.isIndex(type)
                  ? " is an index type, and the manifest lists no manifests"
                  : " is an image manifest type, and the manifest lists manifests"));
    }
    return type;
  }
}
