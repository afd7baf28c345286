package dev.berth.doctor;

import dev.berth.prefetch.Sources;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The {@code RUN --mount=type=cache} traps of a Dockerfile. A cache mount's {@code id} defaults to
 * its target path, so the platforms of a multi-platform build share one cache (and corrupt it)
 * unless the id names the target platform; the platform arguments expand to nothing in a stage that
 * does not declare them; and package managers that lock their cache need {@code sharing=locked}
 * when builds run at once. Stateless.
 */
public final class CacheMounts {
  private static final Pattern PLATFORM_VAR =
      Pattern.compile("\\$\\{?(TARGETPLATFORM|TARGETARCH|TARGETVARIANT)\\b");

  /** Caches whose package manager takes a lock: concurrent use fails or corrupts them. */
  private static final List<String> LOCKING =
      List.of("/var/cache/apt", "/var/lib/apt", "/var/cache/dnf", "/var/cache/yum");

  private CacheMounts() {}

  private record Mount(
      String token,
      String target,
      @Nullable String id,
      @Nullable String sharing,
      int line,
      String stage) {
    String effectiveId() {
      return id != null ? id : target;
    }
  }

  /**
   * The findings for Dockerfile {@code text} named {@code file}, built for {@code platforms} (none
   * given: unknown, which makes platform findings warnings).
   */
  public static List<Finding> check(String file, String text, List<String> platforms) {
    String[] lines = text.split("\r?\n", -1);
    List<Finding> out = new ArrayList<>();
    Map<String, List<Mount>> byId = new LinkedHashMap<>();
    Set<String> stageArgs = new HashSet<>();
    String stage = "";
    int stageCount = 0;
    for (Sources.Instruction ins : Sources.instructions(text)) {
      switch (ins.keyword()) {
        case "FROM" -> {
          stageArgs = new HashSet<>();
          String[] words = ins.args().trim().split("\\s+");
          stage =
              words.length >= 3 && words[words.length - 2].equalsIgnoreCase("AS")
                  ? "stage \"" + words[words.length - 1] + "\""
                  : "stage " + (stageCount + 1);
          stageCount++;
        }
        case "ARG" -> {
          for (String decl : ins.args().trim().split("\\s+")) {
            int eq = decl.indexOf('=');
            stageArgs.add(eq < 0 ? decl : decl.substring(0, eq));
          }
        }
        case "RUN" -> {
          for (Mount m : mounts(ins, lines, stage)) {
            byId.computeIfAbsent(m.effectiveId(), k -> new ArrayList<>()).add(m);
            platformFinding(file, lines, m, stageArgs, platforms).ifPresent(out::add);
            lockingFinding(file, m).ifPresent(out::add);
          }
        }
        default -> {}
      }
    }
    for (List<Mount> shared : byId.values()) {
      if (shared.size() < 2) {
        continue;
      }
      for (Mount m : shared) {
        if (m.sharing() == null && !isLocking(m.target())) {
          out.add(
              Finding.warning(
                  file,
                  m.line(),
                  "cache "
                      + m.effectiveId()
                      + " is mounted by "
                      + shared.size()
                      + " RUN instructions, which BuildKit may run at once, and sharing= is"
                      + " unset (shared): concurrent writers see each other's half-written files",
                  "set sharing=locked (or sharing=private) on this mount"));
        }
      }
    }
    out.sort(Comparator.comparingInt(Finding::line));
    return out;
  }

  /** What is wrong and how to fix it. */
  private record Problem(String message, String fix) {}

  /** A mount of a build for several (or unknown) platforms whose id names no platform. */
  private static Optional<Finding> platformFinding(
      String file, String[] lines, Mount m, Set<String> stageArgs, List<String> platforms) {
    if (platforms.size() == 1) {
      return Optional.empty();
    }
    String built =
        platforms.size() >= 2
            ? "the " + platforms.size() + " platforms built (" + String.join(", ", platforms) + ")"
            : "the platforms of a multi-platform build (give --platform to know)";
    Matcher var = PLATFORM_VAR.matcher(m.id() == null ? "" : m.id());
    List<String> named = new ArrayList<>();
    while (var.find()) {
      named.add(var.group(1));
    }
    List<String> undeclared = named.stream().filter(v -> !stageArgs.contains(v)).toList();
    Problem problem;
    if (named.isEmpty()) {
      problem = noPlatform(lines, m, stageArgs, built);
    } else if (!undeclared.isEmpty()) {
      problem = undeclared(m, undeclared, built);
    } else {
      return Optional.empty();
    }
    return Optional.of(
        new Finding(
            platforms.size() >= 2 ? Finding.Severity.ERROR : Finding.Severity.WARNING,
            file,
            m.line(),
            problem.message(),
            problem.fix()));
  }

  /** Message and fix for a mount whose id names no platform variable. */
  private static Problem noPlatform(String[] lines, Mount m, Set<String> stageArgs, String built) {
    String message =
        "cache mount on "
            + m.target()
            + (m.id() == null ? " has no id, so its id is the target path," : " has id=" + m.id())
            + " which names no platform ($TARGETPLATFORM, $TARGETARCH or $TARGETVARIANT): "
            + built
            + " share one cache and corrupt each other's files";
    String corrected =
        m.id() == null
            ? m.token() + ",id=" + m.target() + "-$TARGETPLATFORM"
            : m.token().replace("id=" + m.id(), "id=" + m.id() + "-$TARGETPLATFORM");
    String fix =
        "use: "
            + lines[m.line() - 1].trim().replace(m.token(), corrected)
            + (stageArgs.contains("TARGETPLATFORM")
                ? ""
                : "  (and declare ARG TARGETPLATFORM in " + m.stage() + " before it)");
    return new Problem(message, fix);
  }

  /** Message and fix for a mount whose id uses platform variables its stage does not declare. */
  private static Problem undeclared(Mount m, List<String> undeclared, String built) {
    String message =
        "cache id "
            + m.id()
            + " uses "
            + String.join(", ", undeclared)
            + ", which "
            + m.stage()
            + " does not declare: it expands to nothing, so "
            + built
            + " share one cache";
    String fix =
        "add "
            + String.join("; ", undeclared.stream().map(v -> "ARG " + v).toList())
            + " in "
            + m.stage()
            + " before line "
            + m.line();
    return new Problem(message, fix);
  }

  private static Optional<Finding> lockingFinding(String file, Mount m) {
    if (!isLocking(m.target()) || "locked".equals(m.sharing())) {
      return Optional.empty();
    }
    return Optional.of(
        Finding.warning(
            file,
            m.line(),
            "cache mount on "
                + m.target()
                + " has sharing="
                + (m.sharing() == null ? " unset (shared)" : m.sharing())
                + ": its package manager locks it, so concurrent builds fail or corrupt it",
            "set sharing=locked on this mount"));
  }

  private static boolean isLocking(String target) {
    String t = target.endsWith("/") ? target.substring(0, target.length() - 1) : target;
    return LOCKING.contains(t);
  }

  /** The cache mounts of a RUN instruction, each with the physical line its flag is on. */
  private static List<Mount> mounts(Sources.Instruction ins, String[] lines, String stage) {
    List<Mount> out = new ArrayList<>();
    String rest = ins.args().trim();
    while (rest.startsWith("--")) {
      int space = rest.indexOf(' ');
      String flag = space < 0 ? rest : rest.substring(0, space);
      rest = space < 0 ? "" : rest.substring(space + 1).trim();
      if (!flag.startsWith("--mount=")) {
        continue;
      }
      Map<String, String> opts = new LinkedHashMap<>();
      for (String part : flag.substring("--mount=".length()).split(",")) {
        int eq = part.indexOf('=');
        String key = (eq < 0 ? part : part.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
        opts.put(key, eq < 0 ? "true" : unquote(part.substring(eq + 1).trim()));
      }
      if (!"cache".equals(opts.get("type"))) {
        continue;
      }
      String target =
          opts.getOrDefault("target", opts.getOrDefault("dst", opts.get("destination")));
      if (target == null) {
        continue; // BuildKit itself refuses a mount without a target.
      }
      int line = ins.line();
      for (int i = ins.line(); i <= ins.lastLine() && i <= lines.length; i++) {
        if (lines[i - 1].contains(flag)) {
          line = i;
          break;
        }
      }
      out.add(new Mount(flag, target, opts.get("id"), opts.get("sharing"), line, stage));
    }
    return out;
  }

  private static String unquote(String v) {
    return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")
        ? v.substring(1, v.length() - 1)
        : v;
  }
}
