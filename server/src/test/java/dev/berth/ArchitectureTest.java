package dev.berth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package structure, read from the sources: no two packages depend on each other, directly or
 * through others, and the error types depend on nothing of Berth's.
 */
class ArchitectureTest {
  private static final Path SOURCES = Path.of("src/main/java");
  private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);

  /** A Berth type named in code or an import: its package is what precedes the capital. */
  private static final Pattern REFERENCE =
      Pattern.compile("\\b(dev\\.berth(?:\\.[a-z]\\w*)+)\\.[A-Z]");

  /** Each package of this module, and the Berth packages its sources name. */
  static Map<String, Set<String>> dependencies() throws IOException {
    Map<String, Set<String>> deps = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(SOURCES)) {
      files = walk.filter(p -> p.toString().endsWith(".java")).toList();
    }
    assertThat(files).as("sources under " + SOURCES.toAbsolutePath()).isNotEmpty();
    for (Path file : files) {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      Matcher pkg = PACKAGE.matcher(text);
      if (!pkg.find()) {
        continue;
      }
      Set<String> named = deps.computeIfAbsent(pkg.group(1), k -> new TreeSet<>());
      Matcher ref = REFERENCE.matcher(text);
      while (ref.find()) {
        if (!ref.group(1).equals(pkg.group(1))) {
          named.add(ref.group(1));
        }
      }
    }
    return deps;
  }

  @Test
  void noPackageCycle() throws IOException {
    Map<String, Set<String>> deps = dependencies();
    assertThat(cycles(deps)).as("package cycles").isEmpty();
  }

  @Test
  void theErrorTypesDependOnNothingOfBerths() throws IOException {
    assertThat(dependencies().get("dev.berth.errors")).isEmpty();
  }

  @Test
  void aCycleIsFound() {
    Map<String, Set<String>> deps =
        Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));
    assertThat(cycles(deps)).containsExactly(List.of("a", "b", "c"));
  }

  /** The strongly connected components of more than one package (Tarjan), each sorted. */
  static List<List<String>> cycles(Map<String, Set<String>> deps) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    List<List<String>> found = new ArrayList<>();
    for (String p : new TreeSet<>(deps.keySet())) {
      if (!index.containsKey(p)) {
        visit(p, deps, index, low, stack, found);
      }
    }
    return found;
  }

  private static void visit(
      String p,
      Map<String, Set<String>> deps,
      Map<String, Integer> index,
      Map<String, Integer> low,
      Deque<String> stack,
      List<List<String>> found) {
    index.put(p, index.size());
    low.put(p, index.get(p));
    stack.push(p);
    for (String q : deps.getOrDefault(p, Set.of())) {
      if (!index.containsKey(q)) {
        visit(q, deps, index, low, stack, found);
        low.put(p, Math.min(low.get(p), low.get(q)));
      } else if (stack.contains(q)) {
        low.put(p, Math.min(low.get(p), index.get(q)));
      }
    }
    if (low.get(p).equals(index.get(p))) {
      List<String> component = new ArrayList<>();
      String q;
      do {
        q = stack.pop();
        component.add(q);
      } while (!q.equals(p));
      if (component.size() > 1) {
        component.sort(null);
        found.add(component);
      }
    }
  }
}
