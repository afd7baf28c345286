package dev.berth.doctor;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.berth.oci.ImageName;
import dev.berth.prefetch.ImageRequest;
import dev.berth.prefetch.Sources;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checks of {@code berth doctor} that read files alone: a Dockerfile's cache mounts and base
 * images, and whether a {@code buildkitd.toml} sends those images through Berth. Stateless.
 */
public final class Doctor {
  private static final TomlMapper TOML = new TomlMapper();
  private static final Pattern ORIGIN_LINE = Pattern.compile("^(.*):(\\d+): (.*)$", Pattern.DOTALL);

  private Doctor() {}

  /** A Dockerfile's findings, and the base images it builds on. */
  public record DockerfileReport(List<Finding> findings, List<ImageRequest> images) {}

  /** Checks Dockerfile {@code text} named {@code file}, built for {@code platforms}. */
  public static DockerfileReport dockerfile(
      String file, String text, Map<String, String> buildArgs, List<String> platforms) {
    List<Finding> findings = new ArrayList<>(CacheMounts.check(file, text, platforms));
    List<ImageRequest> images = List.of();
    try {
      images = Sources.dockerfile(file, text, buildArgs, platforms);
    } catch (Sources.SourceException e) {
      Matcher m = ORIGIN_LINE.matcher(e.getMessage());
      findings.add(
          m.matches()
              ? Finding.error(m.group(1), Integer.parseInt(m.group(2)), m.group(3), null)
              : Finding.error(file, 0, String.valueOf(e.getMessage()), null));
    }
    findings.sort(Comparator.comparingInt(Finding::line));
    return new DockerfileReport(findings, images);
  }

  /** One {@code [registry."host"]} table of a {@code buildkitd.toml}. */
  record RegistryEntry(List<String> mirrors, boolean http, int line) {}

  /**
   * Checks that BuildKit configured by {@code tomlText} (named {@code tomlFile}) pulls {@code
   * images} through Berth at {@code berthHostPort}, and reaches Berth over plain HTTP when {@code
   * plainHttp}.
   */
  public static List<Finding> mirrors(
      List<ImageRequest> images,
      String tomlFile,
      String tomlText,
      String berthHostPort,
      boolean plainHttp) {
    List<Finding> out = new ArrayList<>();
    Map<String, RegistryEntry> registries;
    try {
      registries = registries(tomlText);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      out.add(
          Finding.error(
              tomlFile,
              at == null ? 0 : at.getLineNr(),
              "not valid TOML: " + e.getOriginalMessage(),
              null));
      return out;
    }
    String berth = normalize(berthHostPort);
    String table = "[registry.\"" + berthHostPort + "\"]";
    Map<String, Boolean> seen = new LinkedHashMap<>();
    for (ImageRequest image : images) {
      String host;
      try {
        host = ImageName.parse(image.ref()).registry();
      } catch (IllegalArgumentException e) {
        continue; // Sources already accepted it; nothing to add here.
      }
      if (normalize(host).equals(berth) || seen.put(host, true) != null) {
        continue;
      }
      RegistryEntry entry = registries.get(host);
      String fromFile = fileOf(image.origin());
      int fromLine = lineOf(image.origin());
      if (entry == null || entry.mirrors().isEmpty()) {
        out.add(
            Finding.error(
                fromFile,
                fromLine,
                image.ref()
                    + " comes from "
                    + host
                    + ", which has no mirror in "
                    + tomlFile
                    + ": BuildKit pulls it from "
                    + host
                    + " directly, not through Berth",
                "add to "
                    + tomlFile
                    + ": [registry.\""
                    + host
                    + "\"] mirrors = [\""
                    + berthHostPort
                    + "\"]"));
      } else if (entry.mirrors().stream().map(Doctor::normalize).noneMatch(berth::equals)) {
        out.add(
            Finding.warning(
                tomlFile,
                entry.line(),
                host
                    + " is mirrored to "
                    + String.join(", ", entry.mirrors())
                    + ", not to Berth at "
                    + berthHostPort,
                "put \"" + berthHostPort + "\" first in its mirrors"));
      }
    }
    RegistryEntry own =
        registries.entrySet().stream()
            .filter(e -> normalize(e.getKey()).equals(berth))
            .map(Map.Entry::getValue)
            .findFirst()
            .orElse(null);
    if (plainHttp && (own == null || !own.http())) {
      out.add(
          Finding.error(
              tomlFile,
              own == null ? 0 : own.line(),
              "Berth at "
                  + berthHostPort
                  + " serves plain HTTP but "
                  + tomlFile
                  + (own == null ? " has no " + table : " does not set http = true in " + table)
                  + ": BuildKit tries HTTPS and every pull through Berth fails",
              "add to " + tomlFile + ": " + table + " http = true"));
    }
    return out;
  }

  private static Map<String, RegistryEntry> registries(String text) throws JsonProcessingException {
    JsonNode root = TOML.readTree(text);
    Map<String, RegistryEntry> out = new LinkedHashMap<>();
    String[] lines = text.split("\r?\n", -1);
    root.path("registry")
        .properties()
        .forEach(
            e -> {
              List<String> mirrors = new ArrayList<>();
              e.getValue().path("mirrors").forEach(m -> mirrors.add(m.asText()));
              out.put(
                  e.getKey().toLowerCase(Locale.ROOT),
                  new RegistryEntry(
                      mirrors,
                      e.getValue().path("http").asBoolean(false),
                      tableLine(lines, e.getKey())));
            });
    return out;
  }

  private static int tableLine(String[] lines, String host) {
    Pattern table =
        Pattern.compile(
            "^\\s*\\[\\s*registry\\s*\\.\\s*\"?" + Pattern.quote(host) + "\"?\\s*\\].*");
    for (int i = 0; i < lines.length; i++) {
      if (table.matcher(lines[i]).matches()) {
        return i + 1;
      }
    }
    return 0;
  }

  /** A registry as {@code host:port} without scheme or path, loopback names made one. */
  static String normalize(String mirror) {
    String m = mirror.toLowerCase(Locale.ROOT).replaceFirst("^[a-z]+://", "");
    int slash = m.indexOf('/');
    if (slash >= 0) {
      m = m.substring(0, slash);
    }
    return m.replaceFirst("^localhost(?=:|$)", "127.0.0.1");
  }

  /** The file of an origin {@code name:line}. */
  public static String fileOf(String origin) {
    int colon = origin.lastIndexOf(':');
    return colon < 0 ? origin : origin.substring(0, colon);
  }

  /** The line of an origin {@code name:line}, 0 when it has none. */
  public static int lineOf(String origin) {
    int colon = origin.lastIndexOf(':');
    try {
      return colon < 0 ? 0 : Integer.parseInt(origin.substring(colon + 1));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
