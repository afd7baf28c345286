package dev.berth.database;

import java.io.IOException;

/** The database could not be reached, or refused a statement. */
public final class DatabaseException extends IOException {
  private static final long serialVersionUID = 1L;

  public DatabaseException(String message, Throwable cause) {
    super(message, cause);
  }
}
