package dev.berth.errors;

import org.jspecify.annotations.Nullable;

/**
 * A request that fails with an OCI error. The one exception type the registry services throw; The
 * HTTP layer's error handler renders it.
 */
public final class RegistryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final OciError error;
  private final String detail;

  public RegistryException(OciError error, String detail) {
    super(detail);
    this.error = error;
    this.detail = detail;
  }

  public RegistryException(OciError error, String detail, @Nullable Throwable cause) {
    super(detail, cause);
    this.error = error;
    this.detail = detail;
  }

  public OciError error() {
    return error;
  }

  public String detail() {
    return detail;
  }
}
