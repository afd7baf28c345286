package dev.berth.http;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.berth.metrics.BerthMetrics;
import dev.berth.pull.Content;
import dev.berth.pull.ContentStream;
import java.io.IOException;

/**
 * A blob response: the headers, then the bytes of {@link Content} as {@link ContentStream} writes
 * them.
 */
final class FileStreamer {
  private FileStreamer() {}

  /**
   * A response with {@code headers} and bytes {@code start} to {@code end} (exclusive; -1 for
   * "until the content is complete") of {@code content}.
   */
  static HttpResponse stream(
      ServiceRequestContext ctx,
      ResponseHeaders headers,
      Content content,
      long start,
      long end,
      BerthMetrics metrics)
      throws IOException {
    HttpResponseWriter res = HttpResponse.streaming();
    res.write(headers);
    ContentStream.write(
        res,
        content,
        start,
        end,
        ctx.eventLoop(),
        ctx.blockingTaskExecutor(),
        metrics::bytesServed);
    return res;
  }
}
