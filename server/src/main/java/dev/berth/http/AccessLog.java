package dev.berth.http;

import com.linecorp.armeria.common.logging.RequestLog;
import com.linecorp.armeria.server.logging.AccessLogWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request on the {@code berth.access} logger: client, method, path and query,
 * protocol, status, bytes sent, cache result, milliseconds and user agent. No other request header
 * is written, so no credential or token can appear in it.
 */
public final class AccessLog {
  private static final Logger log = LoggerFactory.getLogger("berth.access");

  private AccessLog() {}

  public static AccessLogWriter writer() {
    return new AccessLogWriter() {
      @Override
      public void log(RequestLog entry) {
        if (log.isInfoEnabled()) {
          log.info(line(entry));
        }
      }

      @Override
      public CompletableFuture<Void> shutdown() {
        return CompletableFuture.completedFuture(null);
      }
    };
  }

  static String line(RequestLog entry) {
    var req = entry.requestHeaders();
    var res = entry.responseHeaders();
    String cache = res.get(RegistryHeaders.CACHE, "-");
    String agent = req.get("user-agent", "-");
    long millis = TimeUnit.NANOSECONDS.toMillis(entry.totalDurationNanos());
    return entry.context().remoteAddress().getAddress().getHostAddress()
        + " \""
        + req.method()
        + " "
        + req.path()
        + " "
        + entry.sessionProtocol().uriText()
        + "\" "
        + res.status().code()
        + " "
        + entry.responseLength()
        + " "
        + cache
        + " "
        + millis
        + "ms \""
        + agent
        + "\"";
  }
}
