package dev.berth.prefetch;

import java.util.List;

/**
 * One image to pre-pull: a reference as a client writes it ({@code alpine:3.20}, {@code
 * ghcr.io/org/app@sha256:...}) and the platforms wanted (empty: every platform of an index).
 *
 * @param ref the image reference
 * @param platforms {@code os/arch[/variant]} values; empty for all
 * @param origin where the reference was found, e.g. {@code Dockerfile:3}, for messages
 */
public record ImageRequest(String ref, List<String> platforms, String origin) {
  public ImageRequest {
    platforms = List.copyOf(platforms);
  }
}
