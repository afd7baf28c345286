package dev.berth.testing;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** A self-signed RSA key and certificate made by the JDK's keytool, for TLS and token signing. */
public record Keys(PrivateKey key, Certificate certificate) {
  private static final String PASSWORD = "changeit";

  /** Creates a key pair in {@code dir} for {@code dname}, with keytool {@code -ext} values. */
  public static Keys selfSigned(Path dir, String dname, String... extensions) throws Exception {
    Path store = Files.createTempFile(dir, "keys", ".p12");
    Files.delete(store);
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "key",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                dname,
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD));
    for (String ext : extensions) {
      cmd.add("-ext");
      cmd.add(ext);
    }
    Cmd.run(cmd).ok();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, PASSWORD.toCharArray());
    }
    return new Keys(
        (PrivateKey) ks.getKey("key", PASSWORD.toCharArray()), ks.getCertificate("key"));
  }

  /** The certificate in PEM. */
  public String certificatePem() throws Exception {
    return pem("CERTIFICATE", certificate.getEncoded());
  }

  /** The private key in PEM (PKCS#8). */
  public String keyPem() {
    return pem("PRIVATE KEY", key.getEncoded());
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
