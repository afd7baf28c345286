package dev.berth.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** Trust stores: the system's certificate authorities plus a bundle of extra ones. */
final class Trust {
  private Trust() {}

  /** Trusts the JDK's default authorities and every certificate in PEM bundle {@code extra}. */
  static TrustManagerFactory systemAnd(Path extra) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      TrustManagerFactory system =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      system.init((KeyStore) null);
      int n = 0;
      for (TrustManager tm : system.getTrustManagers()) {
        if (tm instanceof X509TrustManager x509) {
          for (X509Certificate c : x509.getAcceptedIssuers()) {
            store.setCertificateEntry("system-" + n++, c);
          }
        }
      }
      int added = 0;
      try (InputStream in = Files.newInputStream(extra)) {
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          store.setCertificateEntry("extra-" + added++, c);
        }
      }
      if (added == 0) {
        throw new IllegalArgumentException("tls.ca: " + extra + " holds no PEM certificate");
      }
      TrustManagerFactory out =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      out.init(store);
      return out;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("tls.ca: cannot read " + extra + ": " + e.getMessage(), e);
    }
  }
}
