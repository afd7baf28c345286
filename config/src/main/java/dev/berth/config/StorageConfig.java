package dev.berth.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The local store.
 *
 * @param diskBudget the most that cached blobs may take on disk; least recently used blobs are
 *     evicted past it; 0 means no limit
 */
public record StorageConfig(ByteSize diskBudget) {
  public static final StorageConfig DEFAULTS = new StorageConfig(null);

  @JsonCreator
  public StorageConfig(@JsonProperty("diskBudget") ByteSize diskBudget) {
    this.diskBudget = diskBudget == null ? ByteSize.ofBytes(0) : diskBudget;
  }

  public boolean unlimited() {
    return diskBudget.bytes() == 0;
  }
}
