package dev.berth.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.URI;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The S3-API bucket that holds content with {@code storage.backend: shared}: AWS S3, Google Cloud
 * Storage's XML API with HMAC keys, MinIO, Ceph RGW, Cloudflare R2 and others.
 *
 * @param endpoint the service's URL; null for AWS S3 in {@code region}
 * @param region the region requests are signed for ({@code auto} for R2, any for GCS and MinIO)
 * @param bucket the bucket, which must exist
 * @param prefix the start of every object name Berth writes, empty or ending in {@code /}
 * @param pathStyle whether the bucket goes in the path ({@code host/bucket/key}, as MinIO and Ceph
 *     usually want) rather than the host name
 * @param credentials where the signing keys come from
 */
public record ObjectStoreConfig(
    @Nullable URI endpoint,
    String region,
    String bucket,
    String prefix,
    boolean pathStyle,
    Credentials credentials) {

  /**
   * The signing keys: {@code source: default} (the SDK's chain: the environment, the shared
   * credentials file, web identity, the instance or container role), {@code environment} ({@code
   * AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}) or {@code inline}.
   */
  public record Credentials(
      Source source, @Nullable String accessKeyId, @Nullable Secret secretAccessKey) {
    public static final Credentials DEFAULT = new Credentials(null, null, null);

    /** Where the keys come from. */
    public enum Source {
      DEFAULT,
      ENVIRONMENT,
      INLINE;

      @JsonCreator
      static Source parse(String text) {
        try {
          return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw new InvalidValueException(
              "unknown source \"" + text + "\" (expected: default, environment or inline)");
        }
      }

      @Override
      public String toString() {
        return name().toLowerCase(Locale.ROOT);
      }
    }

    /** A source left out is {@code inline} when keys are given, {@code default} otherwise. */
    public Credentials(
        @Nullable Source source, @Nullable String accessKeyId, @Nullable Secret secretAccessKey) {
      boolean inline = accessKeyId != null || secretAccessKey != null;
      this.source = source != null ? source : inline ? Source.INLINE : Source.DEFAULT;
      this.accessKeyId = accessKeyId;
      this.secretAccessKey = secretAccessKey;
      if (this.source == Source.INLINE
          && (accessKeyId == null || accessKeyId.isBlank() || secretAccessKey == null)) {
        throw new InvalidValueException("source inline needs accessKeyId and secretAccessKey");
      }
      if (this.source != Source.INLINE && inline) {
        throw new InvalidValueException(
            "accessKeyId and secretAccessKey are used with source inline, not " + this.source);
      }
    }

    @JsonCreator
    static Credentials fromJson(
        @JsonProperty("source") @Nullable Source source,
        @JsonProperty("accessKeyId") @Nullable String accessKeyId,
        @JsonProperty("secretAccessKey") @Nullable Secret secretAccessKey) {
      return new Credentials(source, accessKeyId, secretAccessKey);
    }
  }

  /** Values left out (null) take their defaults: {@code us-east-1}, no prefix, virtual hosts. */
  public ObjectStoreConfig(
      @Nullable URI endpoint,
      @Nullable String region,
      @Nullable String bucket,
      @Nullable String prefix,
      boolean pathStyle,
      @Nullable Credentials credentials) {
    if (bucket == null || bucket.isBlank()) {
      throw new InvalidValueException("bucket is required");
    }
    if (endpoint != null
        && (endpoint.getHost() == null
            || !("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme())))) {
      throw new InvalidValueException(
          "endpoint: not an http:// or https:// URL: \"" + endpoint + "\"");
    }
    String p = prefix == null ? "" : prefix;
    if (!p.isEmpty() && (!p.endsWith("/") || p.startsWith("/"))) {
      throw new InvalidValueException(
          "prefix: \"" + p + "\" must end with / and not start with one (e.g. berth/)");
    }
    this.endpoint = endpoint;
    this.region = region == null || region.isBlank() ? "us-east-1" : region;
    this.bucket = bucket;
    this.prefix = p;
    this.pathStyle = pathStyle;
    this.credentials = credentials == null ? Credentials.DEFAULT : credentials;
  }

  @JsonCreator
  static ObjectStoreConfig fromJson(
      @JsonProperty("endpoint") @Nullable URI endpoint,
      @JsonProperty("region") @Nullable String region,
      @JsonProperty("bucket") @Nullable String bucket,
      @JsonProperty("prefix") @Nullable String prefix,
      @JsonProperty("pathStyle") @Nullable Boolean pathStyle,
      @JsonProperty("credentials") @Nullable Credentials credentials) {
    return new ObjectStoreConfig(
        endpoint, region, bucket, prefix, pathStyle != null && pathStyle, credentials);
  }
}
