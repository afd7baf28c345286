package dev.berth.objectstore;

import com.google.common.io.ByteStreams;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * One bucket of an S3-API object store, below a key prefix: the few operations Berth's stores need,
 * on the AWS SDK's synchronous client. An object appears whole or not at all: small ones in one
 * request, large ones by a multipart upload completed only when every part is in. Failures are
 * {@link ObjectStoreException}s. Thread-safe.
 */
public final class Bucket implements Closeable {
  /** The size of a multipart upload's parts, and of the largest object written in one request. */
  static final long PART_BYTES = 16L << 20;

  private final S3Client s3;
  private final String bucket;
  private final String prefix;
  private final long partBytes;

  /** Opens the bucket {@code settings} name; nothing is sent until the first operation. */
  public static Bucket open(BucketSettings settings) {
    return open(settings, PART_BYTES);
  }

  /** As {@link #open(BucketSettings)}, writing objects over {@code partBytes} in parts. */
  static Bucket open(BucketSettings settings, long partBytes) {
    var builder = S3Client.builder();
    if (settings.endpoint() != null) {
      builder.endpointOverride(settings.endpoint());
    }
    S3Client s3 =
        builder
            .region(Region.of(settings.region()))
            .forcePathStyle(settings.pathStyle())
            .credentialsProvider(credentials(settings.credentials()))
            // Since SDK 2.30 every upload carries a CRC trailer by default, which Google Cloud
            // Storage's XML API and some Ceph and R2 setups refuse; Berth verifies digests itself.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .httpClient(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(10))
                    .socketTimeout(Duration.ofSeconds(60))
                    .build())
            .build();
    return new Bucket(s3, settings.bucket(), settings.prefix(), partBytes);
  }

  Bucket(S3Client s3, String bucket, String prefix, long partBytes) {
    this.s3 = s3;
    this.bucket = bucket;
    this.prefix = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
    this.partBytes = partBytes;
  }

  private static AwsCredentialsProvider credentials(BucketSettings.Credentials credentials) {
    if (credentials instanceof BucketSettings.Credentials.Keys keys) {
      // Read on every request: a secret in a file is picked up when it is rotated.
      return () -> {
        try {
          return AwsBasicCredentials.create(keys.accessKeyId(), keys.secretAccessKey().reveal());
        } catch (IOException e) {
          throw SdkClientException.create("cannot read the secret access key: " + e.getMessage());
        }
      };
    }
    if (credentials instanceof BucketSettings.Credentials.Environment) {
      return EnvironmentVariableCredentialsProvider.create();
    }
    return DefaultCredentialsProvider.builder().build();
  }

  /** The bucket's name and prefix, as logs and errors name the store. */
  public String describe() {
    return bucket + "/" + prefix;
  }

  private String key(String name) {
    return prefix + name;
  }

  /** Fails unless the bucket answers a listing of Berth's objects (one object at most). */
  public void check() throws ObjectStoreException {
    try {
      s3.listObjectsV2(r -> r.bucket(bucket).prefix(prefix).maxKeys(1));
    } catch (SdkException e) {
      throw failed("LIST", "", e);
    }
  }

  /** The size of object {@code name}; empty when there is none. */
  public OptionalLong size(String name) throws ObjectStoreException {
    try {
      return OptionalLong.of(s3.headObject(r -> r.bucket(bucket).key(key(name))).contentLength());
    } catch (NoSuchKeyException e) {
      return OptionalLong.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return OptionalLong.empty();
      }
      throw failed("HEAD", name, e);
    } catch (SdkException e) {
      throw failed("HEAD", name, e);
    }
  }

  /**
   * The bytes of object {@code name} from byte {@code from} on; the caller closes the stream.
   * {@link NoSuchFileException} when there is no such object.
   */
  public InputStream read(String name, long from) throws IOException {
    try {
      return s3.getObject(
          r -> {
            r.bucket(bucket).key(key(name));
            if (from > 0) {
              r.range("bytes=" + from + "-");
            }
          });
    } catch (NoSuchKeyException e) {
      throw new NoSuchFileException(describe() + name);
    } catch (SdkException e) {
      throw failed("GET", name, e);
    }
  }

  /** Opens the bytes to upload from their start, again for each attempt or part. */
  @FunctionalInterface
  public interface Source {
    SeekableByteChannel open() throws IOException;
  }

  /**
   * Writes the {@code size} bytes {@code source} opens as object {@code name}, replacing one there:
   * in one request up to the part size, else by a multipart upload in parts of that size, so memory
   * does not grow with the object; the object appears only once all of it is in.
   */
  public void write(String name, long size, Source source) throws ObjectStoreException {
    write(name, source, 0, size);
  }

  /** As {@link #write(String, long, Source)}, with the {@code size} bytes from {@code start} on. */
  public void write(String name, Source source, long start, long size) throws ObjectStoreException {
    try {
      if (size <= partBytes) {
        s3.putObject(
            r -> r.bucket(bucket).key(key(name)).contentLength(size), body(source, start, size));
      } else {
        writeParts(name, start, size, source);
      }
    } catch (SdkException | UncheckedIOException e) {
      throw failed("PUT", name, e);
    }
  }

  /** Writes {@code bytes} as object {@code name}, replacing one there. */
  public void write(String name, byte[] bytes) throws ObjectStoreException {
    try {
      s3.putObject(r -> r.bucket(bucket).key(key(name)), RequestBody.fromBytes(bytes));
    } catch (SdkException e) {
      throw failed("PUT", name, e);
    }
  }

  private void writeParts(String name, long start, long size, Source source) {
    String uploadId = s3.createMultipartUpload(r -> r.bucket(bucket).key(key(name))).uploadId();
    try {
      List<CompletedPart> parts = new ArrayList<>();
      for (long offset = 0; offset < size; offset += partBytes) {
        int number = parts.size() + 1;
        long length = Math.min(partBytes, size - offset);
        String etag =
            s3.uploadPart(
                    r ->
                        r.bucket(bucket)
                            .key(key(name))
                            .uploadId(uploadId)
                            .partNumber(number)
                            .contentLength(length),
                    body(source, start + offset, length))
                .eTag();
        parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
      }
      s3.completeMultipartUpload(
          r ->
              r.bucket(bucket)
                  .key(key(name))
                  .uploadId(uploadId)
                  .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
    } catch (RuntimeException e) {
      try {
        s3.abortMultipartUpload(r -> r.bucket(bucket).key(key(name)).uploadId(uploadId));
      } catch (SdkException abort) {
        // The sweeper aborts it later.
        e.addSuppressed(abort);
      }
      throw e;
    }
  }

  /** {@code length} bytes of {@code source} from {@code offset}, opened anew for each attempt. */
  private static RequestBody body(Source source, long offset, long length) {
    return RequestBody.fromContentProvider(
        () -> {
          try {
            SeekableByteChannel channel = source.open();
            channel.position(offset);
            return ByteStreams.limit(Channels.newInputStream(channel), length);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        length,
        "application/octet-stream");
  }

  /** Deletes object {@code name}; nothing happens when there is none. */
  public void delete(String name) throws ObjectStoreException {
    try {
      s3.deleteObject(r -> r.bucket(bucket).key(key(name)));
    } catch (SdkException e) {
      throw failed("DELETE", name, e);
    }
  }

  /** An object: its name below the prefix, its size and when it was written. */
  public record Listed(String name, long size, Instant written) {}

  /**
   * The objects whose names start with {@code namePrefix}, without folder markers (names ending in
   * {@code /}, which consoles and some servers list; Berth never writes one).
   */
  public List<Listed> list(String namePrefix) throws ObjectStoreException {
    try {
      List<Listed> found = new ArrayList<>();
      for (S3Object o :
          s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(key(namePrefix))).contents()) {
        if (o.key().endsWith("/")) {
          continue;
        }
        found.add(new Listed(o.key().substring(prefix.length()), o.size(), o.lastModified()));
      }
      return found;
    } catch (SdkException e) {
      throw failed("LIST", namePrefix, e);
    }
  }

  /**
   * Aborts the multipart uploads below the prefix that were started before {@code cutoff}: those of
   * writes that died; returns how many.
   */
  public int abortUploadsBefore(Instant cutoff) throws ObjectStoreException {
    try {
      int aborted = 0;
      for (MultipartUpload u :
          s3.listMultipartUploadsPaginator(r -> r.bucket(bucket).prefix(prefix)).uploads()) {
        if (u.initiated() != null && u.initiated().isBefore(cutoff)) {
          s3.abortMultipartUpload(r -> r.bucket(bucket).key(u.key()).uploadId(u.uploadId()));
          aborted++;
        }
      }
      return aborted;
    } catch (SdkException e) {
      throw failed("LIST UPLOADS", "", e);
    }
  }

  private ObjectStoreException failed(String operation, String name, RuntimeException e) {
    return new ObjectStoreException(
        "object store " + describe() + ": " + operation + " " + name + " failed: " + e.getMessage(),
        e);
  }

  @Override
  public void close() {
    s3.close();
  }
}
