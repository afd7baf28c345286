package dev.berth.cli;

import dev.berth.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** Turns a failed command into one line on stderr and an exit code; no stack traces. */
final class Failures implements IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
    cmd.getErr().println("berth: " + message(e));
    return exitCode(e);
  }

  static int exitCode(Throwable t) {
    return t instanceof ConfigException || t instanceof CommandLine.ParameterException
        ? Main.USAGE
        : 1;
  }

  private static String message(Throwable t) {
    if ((t instanceof ConfigException || t instanceof IllegalStateException)
        && t.getMessage() != null) {
      return t.getMessage();
    }
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage();
    return m == null ? root.getClass().getSimpleName() : m;
  }
}
