package dev.berth.oci;

/** A reference to content by media type, digest and size, with a platform for index entries. */
public record Descriptor(String mediaType, Digest digest, long size, Platform platform) {}
