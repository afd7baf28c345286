package dev.berth.storage;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class FileMemberStoreTest extends MemberStoreContract {
  @TempDir Path dir;

  @Override
  protected MemberStore newStore() throws Exception {
    return new FileMemberStore(DataDirectory.prepare(dir));
  }

  @Override
  protected MemberStore reopen(MemberStore store) throws Exception {
    return newStore();
  }
}
