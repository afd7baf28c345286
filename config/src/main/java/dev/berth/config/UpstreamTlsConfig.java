package dev.berth.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * How Berth speaks TLS to an upstream.
 *
 * @param ca a PEM bundle of certificate authorities trusted in addition to the system's
 * @param certificate a PEM client certificate chain, for upstreams that ask for one
 * @param key the PEM private key (PKCS#8) of {@code certificate}
 * @param insecureSkipVerify whether the upstream's certificate goes unchecked (never by default)
 */
public record UpstreamTlsConfig(
    @Nullable Path ca, @Nullable Path certificate, @Nullable Path key, boolean insecureSkipVerify) {
  public static final UpstreamTlsConfig DEFAULTS = new UpstreamTlsConfig(null, null, null, false);

  public UpstreamTlsConfig {
    if ((certificate == null) != (key == null)) {
      throw new InvalidValueException("a client certificate needs both certificate and key");
    }
    if (insecureSkipVerify && ca != null) {
      throw new InvalidValueException("give either ca or insecureSkipVerify, not both");
    }
  }

  @JsonCreator
  static UpstreamTlsConfig fromJson(
      @JsonProperty("ca") @Nullable Path ca,
      @JsonProperty("certificate") @Nullable Path certificate,
      @JsonProperty("key") @Nullable Path key,
      @JsonProperty("insecureSkipVerify") @Nullable Boolean insecureSkipVerify) {
    return new UpstreamTlsConfig(
        ca, certificate, key, insecureSkipVerify != null && insecureSkipVerify);
  }
}
