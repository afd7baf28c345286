package dev.berth.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An HTTP {@code CONNECT} proxy on loopback that records each tunnel's target. */
public final class ConnectProxy implements AutoCloseable {
  private final ServerSocket socket;
  private final List<String> tunnels = new CopyOnWriteArrayList<>();

  public ConnectProxy() throws IOException {
    socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::accept, "connect-proxy");
    accept.setDaemon(true);
    accept.start();
  }

  public String url() {
    return "http://127.0.0.1:" + socket.getLocalPort();
  }

  /** The {@code host:port} of every tunnel opened so far. */
  public List<String> tunnels() {
    return List.copyOf(tunnels);
  }

  private void accept() {
    while (!socket.isClosed()) {
      try {
        Socket client = socket.accept();
        Thread t = new Thread(() -> tunnel(client), "connect-tunnel");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void tunnel(Socket client) {
    try (client) {
      InputStream in = client.getInputStream();
      String head = readHead(in);
      String[] line = head.split("\r\n", 2)[0].split(" ");
      OutputStream out = client.getOutputStream();
      if (line.length < 2 || !line[0].equals("CONNECT")) {
        out.write("HTTP/1.1 405 Method Not Allowed\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return;
      }
      String[] target = line[1].split(":");
      try (Socket upstream = new Socket(target[0], Integer.parseInt(target[1]))) {
        tunnels.add(line[1]);
        out.write(
            "HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Thread back =
            new Thread(
                () -> {
                  try {
                    upstream.getInputStream().transferTo(out);
                  } catch (IOException e) {
                    // The other side closed.
                  } finally {
                    try {
                      client.shutdownOutput();
                    } catch (IOException ignored) {
                      // Already closed.
                    }
                  }
                });
        back.setDaemon(true);
        back.start();
        in.transferTo(upstream.getOutputStream());
        upstream.shutdownOutput();
        back.join();
      }
    } catch (IOException e) {
      // A tunnel that breaks is the client's business.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    for (int b; matched < 4 && (b = in.read()) >= 0; ) {
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
