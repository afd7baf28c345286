package dev.berth.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The files a configuration names, checked before Berth serves: each must be readable, and hold
 * what its key says (certificates parse, a key is a PEM private key, a secret is not empty). A
 * problem found here would otherwise surface at the first request that needs the file.
 */
final class ConfigFiles {
  /** One unusable file: the key that names it, and what is wrong. */
  record Problem(String key, String message) {}

  private ConfigFiles() {}

  static List<Problem> check(BerthConfig config) {
    List<Problem> problems = new ArrayList<>();
    if (config.tls() != null) {
      certificates(problems, "tls.certificate", config.tls().certificate());
      privateKey(problems, "tls.key", config.tls().key());
    }
    for (int i = 0; i < config.upstreams().size(); i++) {
      UpstreamConfig u = config.upstreams().get(i);
      String at = "upstreams[" + i + "]";
      if (u.tls() != null) {
        certificates(problems, at + ".tls.ca", u.tls().ca());
        certificates(problems, at + ".tls.certificate", u.tls().certificate());
        privateKey(problems, at + ".tls.key", u.tls().key());
      }
      CredentialsConfig c = u.credentials();
      secret(problems, at + ".credentials.password", c.password());
      secret(problems, at + ".credentials.identityToken", c.identityToken());
      readable(problems, at + ".credentials.dockerConfig", c.dockerConfig());
      readable(problems, at + ".credentials.keyFile", c.keyFile());
    }
    if (config.auth() != null) {
      readable(problems, "auth.htpasswd", config.auth().htpasswd());
      for (int i = 0; i < config.auth().tokens().size(); i++) {
        secret(problems, "auth.tokens[" + i + "].token", config.auth().tokens().get(i).token());
      }
    }
    return problems;
  }

  private static boolean readable(List<Problem> problems, String key, @Nullable Path file) {
    if (file == null) {
      return false;
    }
    if (!Files.isRegularFile(file)) {
      problems.add(new Problem(key, file + ": no such file"));
      return false;
    }
    if (!Files.isReadable(file)) {
      problems.add(new Problem(key, file + ": cannot be read (permissions)"));
      return false;
    }
    return true;
  }

  private static void certificates(List<Problem> problems, String key, @Nullable Path file) {
    if (!readable(problems, key, file)) {
      return;
    }
    try (InputStream in = Files.newInputStream(file)) {
      if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
        problems.add(new Problem(key, file + ": holds no certificate (expected: PEM)"));
      }
    } catch (IOException | CertificateException e) {
      problems.add(
          new Problem(key, file + ": not a PEM or DER certificate (" + e.getMessage() + ")"));
    }
  }

  private static void privateKey(List<Problem> problems, String key, @Nullable Path file) {
    if (!readable(problems, key, file)) {
      return;
    }
    try {
      String text = Files.readString(file, StandardCharsets.US_ASCII);
      if (!text.contains("PRIVATE KEY-----")) {
        problems.add(new Problem(key, file + ": not a PEM private key"));
      }
    } catch (IOException e) {
      problems.add(new Problem(key, file + ": cannot be read: " + e.getMessage()));
    }
  }

  private static void secret(List<Problem> problems, String key, @Nullable Secret secret) {
    if (secret == null
        || secret.file().isEmpty()
        || !readable(problems, key, secret.file().get())) {
      return;
    }
    try {
      secret.reveal();
    } catch (IOException e) {
      // The message names the file, never its content.
      problems.add(new Problem(key, String.valueOf(e.getMessage())));
    }
  }
}
