package dev.berth.prefetch;

import dev.berth.oci.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the images to pre-pull are named: list files and Dockerfiles. Stateless.
 *
 * <p>A list file has one reference per line, optionally followed by platforms separated by commas
 * ({@code alpine:3.20 linux/amd64,linux/arm64}); {@code #} starts a comment.
 *
 * <p>A Dockerfile gives the images of its {@code FROM} lines: global {@code ARG} defaults and build
 * arguments are substituted ({@code $X}, {@code ${X}}, {@code ${X:-default}}), stage names and
 * {@code scratch} are skipped, and a {@code --platform} that names a platform (not {@code
 * $BUILDPLATFORM} or {@code $TARGETPLATFORM}) is the only one pre-pulled for that image.
 */
public final class Sources {
  private static final Pattern VARIABLE =
      Pattern.compile(
          "\\$(?:\\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\\}|([A-Za-z_][A-Za-z0-9_]*))");

  private Sources() {}

  /** A source that cannot be read as what it claims to be; the message names file and line. */
  public static final class SourceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SourceException(String message) {
      super(message);
    }
  }

  /** The images of a list file; {@code platforms} applies to lines that name none. */
  public static List<ImageRequest> listFile(Path file, List<String> platforms) throws IOException {
    List<ImageRequest> out = new ArrayList<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int hash = line.indexOf('#');
      String text = (hash >= 0 ? line.substring(0, hash) : line).trim();
      if (text.isEmpty()) {
        continue;
      }
      out.add(line(text, file.getFileName() + ":" + (i + 1), platforms));
    }
    return out;
  }

  /** One line of a list: a reference, optionally followed by platforms. */
  public static ImageRequest line(String text, String origin, List<String> platforms) {
    String[] words = text.trim().split("\\s+");
    if (words.length > 2 || words[0].isEmpty()) {
      throw new SourceException(
          origin + ": expected a reference and optional platforms, got \"" + text + "\"");
    }
    List<String> own = words.length == 2 ? platforms(words[1], origin) : platforms;
    return new ImageRequest(words[0], own, origin);
  }

  /** Parses {@code linux/amd64,linux/arm64}; {@code origin} names the place for errors. */
  public static List<String> platforms(String text, String origin) {
    List<String> out = new ArrayList<>();
    for (String p : text.split(",")) {
      if (p.isBlank()) {
        continue;
      }
      try {
        out.add(Platform.parse(p).toString());
      } catch (IllegalArgumentException e) {
        throw new SourceException(origin + ": " + e.getMessage());
      }
    }
    return out;
  }

  /**
   * The base images of Dockerfile {@code file} with {@code buildArgs} overriding its {@code ARG}
   * defaults; {@code platforms} applies to images whose {@code FROM} names none.
   */
  public static List<ImageRequest> dockerfile(
      Path file, Map<String, String> buildArgs, List<String> platforms) throws IOException {
    return dockerfile(
        file.getFileName().toString(),
        Files.readString(file, StandardCharsets.UTF_8),
        buildArgs,
        platforms);
  }

  /** As {@link #dockerfile(Path, Map, List)}, for the text of a Dockerfile named {@code name}. */
  public static List<ImageRequest> dockerfile(
      String name, String text, Map<String, String> buildArgs, List<String> platforms) {
    Map<String, String> args = new HashMap<>();
    Set<String> stages = new HashSet<>();
    Map<String, ImageRequest> found = new LinkedHashMap<>();
    boolean seenFrom = false;
    for (Instruction ins : instructions(text)) {
      String origin = name + ":" + ins.line();
      switch (ins.keyword()) {
        case "ARG" -> {
          if (seenFrom) {
            continue; // A stage's ARG does not reach FROM lines.
          }
          for (String decl : ins.args().trim().split("\\s+")) {
            if (decl.isEmpty()) {
              continue;
            }
            int eq = decl.indexOf('=');
            String key = eq < 0 ? decl : decl.substring(0, eq);
            String value = eq < 0 ? null : unquote(decl.substring(eq + 1));
            if (buildArgs.containsKey(key)) {
              args.put(key, buildArgs.get(key));
            } else if (value != null) {
              args.put(key, substitute(value, args));
            }
          }
        }
        case "FROM" -> {
          seenFrom = true;
          List<String> words = new ArrayList<>(List.of(ins.args().trim().split("\\s+")));
          String platform = null;
          while (!words.isEmpty() && words.get(0).startsWith("--")) {
            String flag = words.remove(0);
            if (flag.startsWith("--platform=")) {
              platform = flag.substring("--platform=".length());
            }
          }
          if (words.isEmpty()) {
            throw new SourceException(origin + ": FROM names no image");
          }
          String image = substitute(words.get(0), args);
          boolean earlierStage = stages.contains(image.toLowerCase(Locale.ROOT));
          if (words.size() >= 3 && words.get(1).equalsIgnoreCase("AS")) {
            stages.add(words.get(2).toLowerCase(Locale.ROOT));
          }
          if (image.equalsIgnoreCase("scratch") || earlierStage) {
            continue;
          }
          if (image.contains("$") || image.isEmpty()) {
            throw new SourceException(
                origin + ": FROM " + words.get(0) + ": a variable has no value (give --build-arg)");
          }
          List<String> own = platforms;
          if (platform != null) {
            String p = substitute(platform, args);
            if (!p.contains("$") && !p.isEmpty()) {
              own = platforms(p, origin);
            }
          }
          String key = image + " " + own;
          found.putIfAbsent(key, new ImageRequest(image, own, origin));
        }
        default -> {}
      }
    }
    return List.copyOf(found.values());
  }

  /**
   * One Dockerfile instruction.
   *
   * @param keyword the instruction, upper case ({@code RUN})
   * @param args the rest, continuation lines joined with a space
   * @param line the line it starts on, counting from 1
   * @param lastLine the line it ends on
   */
  public record Instruction(String keyword, String args, int line, int lastLine) {}

  /** The instructions of a Dockerfile, continuation lines joined and comments dropped. */
  public static List<Instruction> instructions(String text) {
    List<Instruction> out = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    StringBuilder current = null;
    int start = 0;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      String trimmed = line.trim();
      if (current == null && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
        continue;
      }
      if (current != null && trimmed.startsWith("#")) {
        continue; // Comment lines inside a continued instruction.
      }
      if (current == null) {
        current = new StringBuilder();
        start = i + 1;
      }
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      current.append(trimmed);
      String whole = current.toString().trim();
      current = null;
      int space = whole.indexOf(' ');
      String keyword = (space < 0 ? whole : whole.substring(0, space)).toUpperCase(Locale.ROOT);
      out.add(new Instruction(keyword, space < 0 ? "" : whole.substring(space + 1), start, i + 1));
    }
    return out;
  }

  /** {@code text} with {@code $X}, {@code ${X}} and {@code ${X:-default}} replaced from args. */
  public static String substitute(String text, Map<String, String> args) {
    Matcher m = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(3);
      String value = args.get(name);
      if ((value == null || value.isEmpty()) && m.group(2) != null) {
        value = m.group(2);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value == null ? m.group() : value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String unquote(String value) {
    boolean quoted =
        (value.startsWith("\"") && value.endsWith("\""))
            || (value.startsWith("'") && value.endsWith("'"));
    if (value.length() >= 2 && quoted) {
      return value.substring(1, value.length() - 1);
    }
    return value;
  }
}
