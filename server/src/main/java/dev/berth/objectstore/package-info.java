/**
 * Content in an S3-API object store, with a bounded tier of hot blobs on local disk in front of it.
 * The bucket's layout, below its prefix:
 *
 * <pre>
 * blobs/sha256/&lt;2 hex&gt;/&lt;64 hex&gt;   layers and configs; an object exists under a digest only
 *                                 when its content has that digest (written after verification,
 *                                 whole or not at all)
 * </pre>
 *
 * <p>Which blobs the bucket holds, their sizes, pins and last use are accounted in a {@link
 * dev.berth.objectstore.BlobLedger} (the database's {@code blobs} table), over which the budget is
 * enforced.
 */
@NullMarked
package dev.berth.objectstore;

import org.jspecify.annotations.NullMarked;
