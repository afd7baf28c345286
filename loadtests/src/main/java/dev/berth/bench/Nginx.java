package dev.berth.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * nginx serving files of the data set with {@code sendfile}: the practical ceiling for raw serving
 * on this machine. One worker per core, as {@code worker_processes auto} gives, and its default
 * access log.
 */
final class Nginx {
  private Nginx() {}

  /** Serves the files under {@code root} at their relative paths. */
  static Server start(Path dir, Path root) {
    int port = Ports.free();
    String config =
        """
        # Workers run as the benchmark's own user, who can read its (private) working directory.
        user %4$s;
        worker_processes auto;
        daemon off;
        pid %1$s/nginx.pid;
        error_log %1$s/error.log warn;
        events { worker_connections 1024; }
        http {
          access_log %1$s/access.log;
          sendfile on;
          tcp_nopush on;
          keepalive_requests 1000000;
          client_body_temp_path %1$s/client_body;
          proxy_temp_path %1$s/proxy;
          fastcgi_temp_path %1$s/fastcgi;
          uwsgi_temp_path %1$s/uwsgi;
          scgi_temp_path %1$s/scgi;
          server {
            listen 127.0.0.1:%2$d;
            root %3$s;
            location / { }
          }
        }
        """
            .formatted(dir, port, root, System.getProperty("user.name"));
    try {
      Files.createDirectories(dir);
      Path file = Files.writeString(dir.resolve("nginx.conf"), config);
      List<String> cmd = List.of(Tools.path("nginx"), "-p", dir.toString(), "-c", file.toString());
      return Server.start("nginx", cmd, dir.resolve("log"), port, "/ready");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
