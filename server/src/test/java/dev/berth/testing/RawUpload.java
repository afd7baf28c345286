package dev.berth.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A monolithic blob upload ({@code PUT} with a {@code Content-Length}) written over a plain socket
 * in parts the test controls, so that it can look at what happens while the body is half sent.
 */
public final class RawUpload implements AutoCloseable {
  private final Socket socket;
  private final OutputStream out;

  private RawUpload(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
  }

  /** Sends the request line and headers of a {@code PUT} of {@code length} bytes to {@code url}. */
  public static RawUpload start(String url, long length) throws IOException {
    URI uri = URI.create(url);
    RawUpload u = new RawUpload(new Socket(uri.getHost(), uri.getPort()));
    String head =
        "PUT "
            + uri.getRawPath()
            + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
            + " HTTP/1.1\r\nHost: "
            + uri.getAuthority()
            + "\r\nContent-Type: application/octet-stream\r\nContent-Length: "
            + length
            + "\r\n\r\n";
    u.out.write(head.getBytes(StandardCharsets.US_ASCII));
    u.out.flush();
    return u;
  }

  /** Sends {@code length} bytes of {@code bytes} from {@code offset}. */
  public void send(byte[] bytes, int offset, int length) throws IOException {
    out.write(bytes, offset, length);
    out.flush();
  }

  /** The status code of the answer, once the whole body is sent. */
  public int status() throws IOException {
    InputStream in = socket.getInputStream();
    StringBuilder line = new StringBuilder();
    for (int c; (c = in.read()) != -1 && c != '\n'; ) {
      line.append((char) c);
    }
    String[] parts = line.toString().split(" ");
    if (parts.length < 2) {
      throw new IOException("no status line: " + line);
    }
    return Integer.parseInt(parts[1]);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
