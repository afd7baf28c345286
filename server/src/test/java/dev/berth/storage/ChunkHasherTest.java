package dev.berth.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkHasherTest {
  @Test
  void hashesBatchesInTheOrderAddedAndReleasesWhatItTook() throws Exception {
    Random random = new Random(7);
    MessageDigest expected = MessageDigest.getInstance("SHA-256");
    ChunkHasher hasher = new ChunkHasher(MessageDigest.getInstance("SHA-256"));
    List<ByteBuf> all = new ArrayList<>();
    for (int batch = 0; batch < 200; batch++) {
      List<ByteBuf> bufs = new ArrayList<>();
      for (int i = 0; i < 1 + batch % 5; i++) {
        byte[] bytes = new byte[1 + random.nextInt(70_000)];
        random.nextBytes(bytes);
        expected.update(bytes);
        ByteBuf b = Unpooled.directBuffer(bytes.length + 16);
        b.writeBytes(bytes);
        bufs.add(b);
      }
      hasher.add(bufs);
      // The writer's own references go as soon as add returns, as a chunk drain's do.
      bufs.forEach(ByteBuf::release);
      all.addAll(bufs);
    }

    assertThat(hasher.finish().digest()).isEqualTo(expected.digest());
    assertThat(all).allSatisfy(b -> assertThat(b.refCnt()).isZero());
  }
}
