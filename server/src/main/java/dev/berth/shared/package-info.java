/**
 * The shared backends put together ({@code storage.backend: shared}): content in an S3-API bucket
 * ({@code objectstore}) and state in PostgreSQL ({@code database}), with the data directory as a
 * local tier of copies that is never the only one; and the checks that tell whether both answer.
 */
@NullMarked
package dev.berth.shared;

import org.jspecify.annotations.NullMarked;
