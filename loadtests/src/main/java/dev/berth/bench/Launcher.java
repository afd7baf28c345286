package dev.berth.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How Berth is started: its {@code berth} launcher script, as the README runs it (which sets the
 * process's environment the way every deployment does), with JVM options in {@code
 * BERTH_JAVA_OPTS}.
 */
record Launcher(Path script, List<String> javaOptions) {
  /** The command line {@code berth <args>}. */
  List<String> command(List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(script.toString());
    cmd.addAll(args);
    return cmd;
  }

  /** What the launcher's environment gets added. */
  Map<String, String> environment() {
    return javaOptions.isEmpty()
        ? Map.of()
        : Map.of("BERTH_JAVA_OPTS", String.join(" ", javaOptions));
  }
}
