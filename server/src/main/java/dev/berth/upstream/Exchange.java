package dev.berth.upstream;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.stream.StreamMessage;

/**
 * An upstream answer whose body has not been read yet. The receiver must consume or abort {@link
 * #body()}.
 *
 * @param headers the final response's headers, after redirects and challenges
 * @param body the body, streamed as it arrives
 * @param endpoint the endpoint that answered, for messages
 */
public record Exchange(ResponseHeaders headers, StreamMessage<HttpData> body, String endpoint) {
  public int status() {
    return headers.status().code();
  }
}
