package dev.berth.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.berth.metrics.BerthMetrics;
import dev.berth.pull.Content;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStreamerTest {
  /** A download that finishes while the streamer looks at it: not complete twice, then complete. */
  private static final class FinishingContent implements Content {
    private final Path file;
    private final long size;
    private final AtomicInteger checks = new AtomicInteger();

    FinishingContent(Path file, long size) {
      this.file = file;
      this.size = size;
    }

    @Override
    public long available() {
      return size;
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public boolean isComplete() {
      return checks.incrementAndGet() > 2;
    }

    @Override
    public CompletableFuture<Void> awaitBeyond(long position) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public Throwable failure() {
      return null;
    }

    @Override
    public FileChannel open() throws IOException {
      return FileChannel.open(file, StandardOpenOption.READ);
    }
  }

  @Test
  void downloadFinishingMidLookIsServedWhole(@TempDir Path dir) throws Exception {
    byte[] bytes = new byte[179];
    new Random(5).nextBytes(bytes);
    Path file = Files.write(dir.resolve("blob"), bytes);
    ServiceRequestContext ctx = ServiceRequestContext.of(HttpRequest.of(HttpMethod.GET, "/"));
    AggregatedHttpResponse res =
        FileStreamer.stream(
                ctx,
                ResponseHeaders.builder(HttpStatus.OK).contentLength(bytes.length).build(),
                new FinishingContent(file, bytes.length),
                0,
                bytes.length,
                new BerthMetrics())
            .aggregate()
            .get(10, TimeUnit.SECONDS);
    assertThat(res.status()).isEqualTo(HttpStatus.OK);
    assertThat(res.content().array()).isEqualTo(bytes);
  }
}
