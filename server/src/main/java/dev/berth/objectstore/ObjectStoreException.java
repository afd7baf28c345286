package dev.berth.objectstore;

import dev.berth.errors.BackendException;

/** The object store could not be reached, or refused an operation. */
public final class ObjectStoreException extends BackendException {
  private static final long serialVersionUID = 1L;

  public ObjectStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
