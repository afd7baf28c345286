package dev.berth.objectstore;

import dev.berth.config.Secret;
import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * Where an S3-API bucket is and how to sign for it.
 *
 * @param endpoint the service's address (null: AWS S3 in the region), e.g. {@code
 *     https://s3.eu-west-1.amazonaws.com} or {@code https://storage.googleapis.com}
 * @param region the region requests are signed for ({@code auto} where the service has none)
 * @param bucket the bucket's name
 * @param prefix the key prefix Berth's objects go under; empty for the bucket's root
 * @param pathStyle whether the bucket is named in the path rather than the host name (MinIO, Ceph
 *     and most servers that are not AWS)
 * @param credentials the keys requests are signed with
 */
public record BucketSettings(
    @Nullable URI endpoint,
    String region,
    String bucket,
    String prefix,
    boolean pathStyle,
    BucketSettings.Credentials credentials) {

  /** Where the signing keys come from. */
  public sealed interface Credentials {
    /** Keys given in the configuration. */
    record Keys(String accessKeyId, Secret secretAccessKey) implements Credentials {}

    /** {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY} from the environment. */
    record Environment() implements Credentials {}

    /**
     * The SDK's default chain: the environment, the shared credentials file, web identity, the
     * container or instance role.
     */
    record DefaultChain() implements Credentials {}
  }
}
