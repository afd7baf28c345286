package dev.berth.oci;

import org.jspecify.annotations.Nullable;

/** A reference to content by media type, digest and size, with a platform for index entries. */
public record Descriptor(String mediaType, Digest digest, long size, @Nullable Platform platform) {}
