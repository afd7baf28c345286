package dev.berth.oci;

import java.util.Locale;
import java.util.Set;

/** Docker Hub's names: the one Berth uses, and the aliases clients and config files write. */
public final class DockerHub {
  /** The name Berth uses for Docker Hub everywhere. */
  public static final String NAME = "docker.io";

  /** Other host names that mean Docker Hub: its index, its registry endpoint, its web host. */
  private static final Set<String> ALIASES =
      Set.of("index.docker.io", "registry-1.docker.io", "registry.hub.docker.com");

  private DockerHub() {}

  /** {@code host} in lower case, or {@link #NAME} for any of Docker Hub's aliases. */
  public static String canonical(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return ALIASES.contains(h) ? NAME : h;
  }
}
