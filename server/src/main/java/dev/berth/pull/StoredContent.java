package dev.berth.pull;

import dev.berth.storage.BlobFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** A complete, verified blob file. */
record StoredContent(BlobFile file) implements Content {
  @Override
  public long available() {
    return file.size();
  }

  @Override
  public long size() {
    return file.size();
  }

  @Override
  public boolean isComplete() {
    return true;
  }

  @Override
  public CompletableFuture<Void> awaitBeyond(long position) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public @Nullable Throwable failure() {
    return null;
  }

  @Override
  public FileChannel open() throws IOException {
    return FileChannel.open(file.path(), StandardOpenOption.READ);
  }
}
