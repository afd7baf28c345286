package dev.berth.upstream.auth;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Token scopes ({@code repository:library/alpine:pull}) merged into one canonical request: the
 * actions of one resource are joined ({@code repository:a:pull,push}), resources are sorted, so
 * that equal needs share one cached token. A cross-repository mount needs {@code
 * repository:src:pull} and {@code repository:dst:pull,push} in one token.
 */
public final class Scopes {
  private static final List<String> ACTION_ORDER = List.of("pull", "push", "delete", "*");

  private Scopes() {}

  /** The scopes in {@code scopes} (each may be space-separated) merged; "" when none. */
  public static String merge(Collection<String> scopes) {
    Map<String, Set<String>> actions = new TreeMap<>();
    for (String group : scopes) {
      for (String scope : group.trim().split("\\s+")) {
        if (scope.isEmpty()) {
          continue;
        }
        // repository:host:5000/name:pull has colons in its name: the actions follow the last.
        int first = scope.indexOf(':');
        int last = scope.lastIndexOf(':');
        if (first < 0 || first == last) {
          actions.computeIfAbsent(scope, k -> new LinkedHashSet<>());
          continue;
        }
        Set<String> set =
            actions.computeIfAbsent(scope.substring(0, last), k -> new LinkedHashSet<>());
        for (String action : scope.substring(last + 1).split(",")) {
          if (!action.isEmpty()) {
            set.add(action);
          }
        }
      }
    }
    return actions.entrySet().stream()
        .map(e -> e.getValue().isEmpty() ? e.getKey() : e.getKey() + ":" + ordered(e.getValue()))
        .collect(Collectors.joining(" "));
  }

  /** The scopes of a merged request, one per {@code scope} parameter of a token GET. */
  public static List<String> split(String merged) {
    return merged.isBlank() ? List.of() : List.of(merged.trim().split("\\s+"));
  }

  private static String ordered(Set<String> actions) {
    return actions.stream()
        .sorted(
            (a, b) -> {
              int ia = ACTION_ORDER.indexOf(a);
              int ib = ACTION_ORDER.indexOf(b);
              ia = ia < 0 ? ACTION_ORDER.size() : ia;
              ib = ib < 0 ? ACTION_ORDER.size() : ib;
              return ia != ib ? Integer.compare(ia, ib) : a.compareTo(b);
            })
        .collect(Collectors.joining(","));
  }
}
