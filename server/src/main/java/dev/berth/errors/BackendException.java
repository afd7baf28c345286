package dev.berth.errors;

import java.io.IOException;

/**
 * A shared backend Berth keeps its content or state in (the object store, the database) could not
 * be reached or refused an operation. The message starts with the backend's name and says what
 * failed, never a secret; a client gets it with {@code 503 UNAVAILABLE}.
 */
public abstract class BackendException extends IOException {
  private static final long serialVersionUID = 1L;

  protected BackendException(String message, Throwable cause) {
    super(message, cause);
  }

  /** What failed, starting with the backend's name; never null. */
  @Override
  public String getMessage() {
    String message = super.getMessage();
    return message == null ? getClass().getSimpleName() : message;
  }
}
