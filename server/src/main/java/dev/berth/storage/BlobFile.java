package dev.berth.storage;

import java.nio.file.Path;

/** A stored blob: its file and size. The file may be evicted later; open it promptly. */
public record BlobFile(Path path, long size) {}
