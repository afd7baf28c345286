package dev.berth.pull;

import dev.berth.storage.Growth;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** Content whose file is still being written, as its {@link Growth} tells. */
public interface GrowingContent extends Content {
  /** How far the file has got. */
  Growth growth();

  @Override
  default long available() {
    return growth().length();
  }

  @Override
  default boolean isComplete() {
    return growth().isComplete();
  }

  @Override
  default CompletableFuture<Void> awaitBeyond(long position) {
    return growth().awaitBeyond(position);
  }

  @Override
  default @Nullable Throwable failure() {
    return growth().failure();
  }
}
