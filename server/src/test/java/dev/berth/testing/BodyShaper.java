package dev.berth.testing;

import com.linecorp.armeria.common.CommonPools;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpObject;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpRequestWriter;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.SplitHttpResponse;
import com.linecorp.armeria.common.stream.StreamWriter;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Re-sends a response or request body at a capped rate, or cut short after some bytes, for fault
 * tests; or simply re-sends it, reading the source on its own connection's event loop.
 */
final class BodyShaper implements Subscriber<HttpData> {
  private final StreamWriter<HttpObject> out;
  private final long rate;
  private final long cutAfter;
  private final boolean stall;
  private Subscription subscription;
  private long sent;

  private BodyShaper(StreamWriter<HttpObject> out, long rate, long cutAfter) {
    this(out, rate, cutAfter, false);
  }

  /** With {@code stall}, the body stops after {@code cutAfter} bytes but is never closed. */
  private BodyShaper(StreamWriter<HttpObject> out, long rate, long cutAfter, boolean stall) {
    this.stall = stall;
    this.out = out;
    this.rate = rate;
    this.cutAfter = cutAfter;
  }

  static HttpResponse shape(HttpResponse res, long rate, long cutAfter) {
    return shape(res, rate, cutAfter, false);
  }

  /** As {@link #shape(HttpResponse, long, long)}; with {@code stall}, a cut body hangs open. */
  static HttpResponse shape(HttpResponse res, long rate, long cutAfter, boolean stall) {
    HttpResponseWriter out = HttpResponse.streaming();
    SplitHttpResponse split = res.split();
    split
        .headers()
        .whenComplete(
            (headers, e) -> {
              if (e != null) {
                out.close(e);
                return;
              }
              out.write(headers);
              split.body().subscribe(new BodyShaper(out, rate, cutAfter, stall));
            });
    return out;
  }

  /** {@code req} with its body sent on at most {@code rate} bytes per second. */
  static HttpRequest shape(HttpRequest req, long rate) {
    HttpRequestWriter out = HttpRequest.streaming(req.headers());
    req.filter(HttpData.class::isInstance)
        .map(HttpData.class::cast)
        .subscribe(new BodyShaper(out, rate, -1));
    return out;
  }

  @Override
  public void onSubscribe(Subscription s) {
    subscription = s;
    s.request(1);
  }

  @Override
  public void onNext(HttpData data) {
    if (cutAfter >= 0 && sent + data.length() > cutAfter) {
      int keep = (int) (cutAfter - sent);
      if (keep > 0) {
        out.write(HttpData.wrap(data.array(), 0, keep));
      }
      if (stall) {
        return; // No more is asked for or sent, and the answer stays open.
      }
      subscription.cancel();
      out.close(new IOException("relay cut the body after " + cutAfter + " bytes"));
      return;
    }
    sent += data.length();
    out.write(data);
    if (rate <= 0) {
      // As fast as the reader takes it, holding one chunk at a time.
      out.whenConsumed().thenRun(() -> subscription.request(1));
      return;
    }
    long delayMicros = data.length() * 1_000_000L / rate;
    CommonPools.workerGroup()
        .next()
        .schedule(() -> subscription.request(1), delayMicros, TimeUnit.MICROSECONDS);
  }

  @Override
  public void onError(Throwable t) {
    out.close(t);
  }

  @Override
  public void onComplete() {
    out.close();
  }
}
