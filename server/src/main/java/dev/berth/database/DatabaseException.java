package dev.berth.database;

import dev.berth.errors.BackendException;

/** The database could not be reached, or refused a statement. */
public final class DatabaseException extends BackendException {
  private static final long serialVersionUID = 1L;

  public DatabaseException(String message, Throwable cause) {
    super(message, cause);
  }
}
