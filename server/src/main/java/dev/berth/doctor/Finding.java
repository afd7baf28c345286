package dev.berth.doctor;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One thing {@code berth doctor} found.
 *
 * @param severity how bad it is: an error makes the doctor exit 1
 * @param file the file it is in, or {@code berth} for what Berth itself answered
 * @param line the line in {@code file}, counting from 1; 0 when it concerns the whole file
 * @param message what is wrong and what follows from it
 * @param fix what to change, or null
 */
public record Finding(
    Severity severity, String file, int line, String message, @Nullable String fix) {

  /** How bad a finding is. */
  public enum Severity {
    ERROR,
    WARNING;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  static Finding error(String file, int line, String message, @Nullable String fix) {
    return new Finding(Severity.ERROR, file, line, message, fix);
  }

  static Finding warning(String file, int line, String message, @Nullable String fix) {
    return new Finding(Severity.WARNING, file, line, message, fix);
  }

  /** {@code file:line}, or the file alone for line 0. */
  public String where() {
    return line > 0 ? file + ":" + line : file;
  }
}
