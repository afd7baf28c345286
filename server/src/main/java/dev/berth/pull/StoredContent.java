package dev.berth.pull;

import dev.berth.storage.StoredBlob;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** A complete, verified blob in the store. */
public record StoredContent(StoredBlob file) implements Content {
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
  public SeekableByteChannel open() throws IOException {
    return file.open();
  }
}
