package dev.berth.routing;

/**
 * A parsed {@code /v2/} request: what it acts on and the reference it names.
 *
 * @param kind the kind of resource
 * @param target the repository, with the registry it belongs to
 * @param reference the tag or digest ({@link Kind#MANIFEST}), the digest ({@link Kind#BLOB}), the
 *     upload id ({@link Kind#UPLOAD}, may be empty), the subject's digest ({@link Kind#REFERRERS}),
 *     or empty ({@link Kind#TAGS})
 * @param namespace the {@code ns} the client sent, or null
 */
public record RegistryRoute(Kind kind, Target target, String reference, String namespace) {
  /** What a {@code /v2/<name>/...} path acts on. */
  public enum Kind {
    MANIFEST,
    BLOB,
    UPLOAD,
    TAGS,
    REFERRERS
  }
}
