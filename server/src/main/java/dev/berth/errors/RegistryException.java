package dev.berth.errors;

/**
 * A request that fails with an OCI error. The one exception type the registry services throw; The
 * HTTP layer's error handler renders it.
 */
public final class RegistryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final OciError error;

  public RegistryException(OciError error, String detail) {
    super(detail);
    this.error = error;
  }

  public RegistryException(OciError error, String detail, Throwable cause) {
    super(detail, cause);
    this.error = error;
  }

  public OciError error() {
    return error;
  }

  public String detail() {
    return getMessage();
  }
}
