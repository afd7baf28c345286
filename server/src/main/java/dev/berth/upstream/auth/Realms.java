package dev.berth.upstream.auth;

import com.google.common.net.InetAddresses;
import com.google.common.net.InternetDomainName;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where an upstream's credentials may go: to a token realm on the host that challenged for them, or
 * within that host's registrable domain by the Public Suffix List ({@code auth.docker.io} for
 * {@code registry-1.docker.io}, not {@code evil.appspot.com} for {@code x.appspot.com}), or on a
 * host the configuration lists in {@code credentials.realms}. An IP address or {@code localhost} is
 * the same host on any port.
 */
final class Realms {
  private Realms() {}

  /** Whether a realm on {@code realmHost} may receive the credentials of {@code endpointHost}. */
  static boolean mayReceive(String endpointHost, String realmHost, List<String> configured) {
    String endpoint = bare(endpointHost);
    String realm = bare(realmHost);
    if (realm.isEmpty()) {
      return false;
    }
    if (realm.equals(endpoint) || configured.contains(realm)) {
      return true;
    }
    Optional<String> domain = registrableDomain(endpoint);
    return domain.isPresent() && domain.equals(registrableDomain(realm));
  }

  /** The registrable domain of {@code host}, none for addresses, localhost and public suffixes. */
  private static Optional<String> registrableDomain(String host) {
    if (host.equals("localhost") || InetAddresses.isInetAddress(host)) {
      return Optional.empty();
    }
    try {
      InternetDomainName name = InternetDomainName.from(host);
      return name.isUnderPublicSuffix()
          ? Optional.of(name.topPrivateDomain().toString())
          : Optional.empty();
    } catch (IllegalArgumentException | IllegalStateException e) {
      return Optional.empty();
    }
  }

  private static String bare(String host) {
    String h = host == null ? "" : host.toLowerCase(Locale.ROOT);
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }
}
