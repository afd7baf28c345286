package dev.berth.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The outbound HTTP proxy for upstreams (an HTTP {@code CONNECT} tunnel, for https and http
 * upstreams alike), as build hosts behind corporate or regional gateways need.
 *
 * @param url the proxy, e.g. {@code http://proxy.example:3128}
 * @param noProxy hosts reached directly: a name matches itself and its subdomains ({@code
 *     example.com} matches {@code registry.example.com}); a leading dot is the same
 */
public record ProxyConfig(URI url, List<String> noProxy) {
  @JsonCreator
  public ProxyConfig(
      @JsonProperty("url") @Nullable URI url,
      @JsonProperty("noProxy") @Nullable List<String> noProxy) {
    if (url == null || url.getHost() == null || url.getPort() <= 0) {
      throw new InvalidValueException(
          "url: a proxy needs a host and a port, e.g. http://proxy.example:3128");
    }
    if (!"http".equals(url.getScheme())) {
      throw new InvalidValueException("url: only http:// proxies are supported, not " + url);
    }
    this.url = url;
    this.noProxy =
        noProxy == null
            ? List.of()
            : noProxy.stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).toList();
  }

  /** Whether {@code host} is reached without the proxy. */
  public boolean bypasses(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    for (String n : noProxy) {
      String bare = n.startsWith(".") ? n.substring(1) : n;
      if (n.equals("*") || h.equals(bare) || h.endsWith("." + bare)) {
        return true;
      }
    }
    return false;
  }
}
