package dev.berth.storage;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class FileTagStoreTest extends TagStoreContract {
  @TempDir Path dir;

  @Override
  protected TagStore newStore() throws Exception {
    return new FileTagStore(DataDirectory.prepare(dir));
  }

  @Override
  protected TagStore reopen(TagStore store) throws Exception {
    return newStore();
  }
}
