package dev.berth.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The server's TLS certificate chain and private key, both PEM files.
 *
 * @param certificate the PEM certificate chain
 * @param key the PEM private key (PKCS#8)
 */
public record TlsConfig(Path certificate, Path key) {
  @JsonCreator
  public TlsConfig(
      @JsonProperty("certificate") @Nullable Path certificate,
      @JsonProperty("key") @Nullable Path key) {
    if (certificate == null || key == null) {
      throw new InvalidValueException("tls needs both certificate and key");
    }
    this.certificate = certificate;
    this.key = key;
  }
}
