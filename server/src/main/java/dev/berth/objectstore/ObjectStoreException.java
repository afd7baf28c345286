package dev.berth.objectstore;

import java.io.IOException;

/** The object store could not be reached, or refused an operation. */
public final class ObjectStoreException extends IOException {
  private static final long serialVersionUID = 1L;

  public ObjectStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
