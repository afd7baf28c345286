/**
 * The local store: content-addressed files, tag records and downloads in progress, under one data
 * directory. {@link dev.berth.storage.StoragePaths} builds every path. The layout:
 *
 * <pre>
 * &lt;data&gt;/
 *   format-version                             "2": the version of this layout
 *   blobs/sha256/&lt;2 hex&gt;/&lt;64 hex&gt;                layers and configs; a file exists under a
 *                                              digest only when its content has that digest
 *   manifests/sha256/&lt;2 hex&gt;/&lt;64 hex&gt;            a manifest's exact bytes
 *   manifests/sha256/&lt;2 hex&gt;/&lt;64 hex&gt;.type       its media type
 *   tags/&lt;registry&gt;/&lt;repository&gt;/&lt;tag&gt;.json       {digest, mediaType, checkedAt}
 *   taglists/&lt;registry&gt;/&lt;repository&gt;/&lt;key&gt;.json  the last tag list seen, for stale serving
 *   pins/sha256/&lt;2 hex&gt;/&lt;64 hex&gt;                 empty markers: pushed blobs the disk budget
 *                                              never evicts
 *   members/&lt;registry&gt;/&lt;repository&gt;/@sha256-&lt;64 hex&gt;
 *                                              the repository holds this digest (content is
 *                                              served only to repositories that hold it): empty
 *                                              for a blob, the media type served for a manifest
 *   referrers/&lt;registry&gt;/&lt;repository&gt;/&lt;subject&gt;/&lt;referrer&gt;.json
 *                                              descriptors of manifests pushed with a subject
 *   uploads/&lt;uuid&gt;                              the bytes of an upload session so far; expire
 *                                              after {@code uploadTtl} without a write
 *   tmp/                                       downloads and writes in progress; emptied at start
 * </pre>
 *
 * Every file is written to {@code tmp/}, flushed and renamed into place, so a crash leaves at most
 * a stray file in {@code tmp/}.
 */
@NullMarked
package dev.berth.storage;

import org.jspecify.annotations.NullMarked;
