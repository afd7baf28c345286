package dev.berth.oci;

import java.util.List;
import java.util.Locale;

/** The manifest media types Berth knows, and predicates over them. */
public final class MediaTypes {
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String DOCKER_LIST =
      "application/vnd.docker.distribution.manifest.list.v2+json";
  public static final String DOCKER_MANIFEST =
      "application/vnd.docker.distribution.manifest.v2+json";
  public static final String OCTET_STREAM = "application/octet-stream";

  /** What Berth asks upstreams for, most capable first; never schema 1. */
  public static final List<String> ACCEPTED_FROM_UPSTREAM =
      List.of(OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST);

  private MediaTypes() {}

  /** Whether {@code type} is a list of manifests (OCI index or Docker manifest list). */
  public static boolean isIndex(String type) {
    String t = bare(type);
    return t.equals(OCI_INDEX) || t.equals(DOCKER_LIST);
  }

  /** Whether {@code type} is a single-platform image manifest. */
  public static boolean isImageManifest(String type) {
    String t = bare(type);
    return t.equals(OCI_MANIFEST) || t.equals(DOCKER_MANIFEST);
  }

  /**
   * Whether {@code type} is one of the manifest types a registry accepts and serves: an OCI image
   * manifest (artifacts included) or index, a Docker v2 manifest or manifest list.
   */
  public static boolean isManifest(String type) {
    return isIndex(type) || isImageManifest(type);
  }

  /** {@code type} without parameters, in lower case. */
  public static String bare(String type) {
    int semi = type.indexOf(';');
    return (semi < 0 ? type : type.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }
}
