package dev.berth.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogTest {
  @Test
  void countsOneClientsRequestsAndBytesForOnePathSinceTheMark(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("log");
    Files.writeString(
        log,
        "127.0.0.1 - - [01/Dec/2026:14:19:25 +0000] \"GET /v2/a/blobs/sha256:aa HTTP/1.1\" 200 9 \"\" \"x\"\n");
    AccessLog.Mark mark = AccessLog.mark(log);
    Files.writeString(
        log,
        """
        time="2026-12-01T14:19:30Z" level=info msg="response completed" http.request.method=GET
        127.0.0.1 - - [01/Dec/2026:14:19:30 +0000] "HEAD /v2/a/blobs/sha256:aa HTTP/1.1" 200 0 "" "Go-http-client/1.1"
        127.0.0.1 - - [01/Dec/2026:14:19:30 +0000] "GET /v2/a/blobs/sha256:aa HTTP/1.1" 200 1048576 "" "berth/0.1.0"
        127.0.0.1 - - [01/Dec/2026:14:19:30 +0000] "GET /v2/a/blobs/sha256:aa HTTP/1.1" 206 512 "" "berth/0.1.0"
        127.0.0.1 - - [01/Dec/2026:14:19:31 +0000] "GET /v2/a/blobs/sha256:bb HTTP/1.1" 200 7 "" "berth/0.1.0"
        127.0.0.1 - - [01/Dec/2026:14:19:31 +0000] "HEAD /v2/a/blobs/sha256:aa HTTP/1.1" 200 0 "" "berth/0.1.0"
        """,
        java.nio.file.StandardOpenOption.APPEND);

    AccessLog.Traffic berth = mark.traffic("sha256:aa", "berth/");
    AccessLog.Traffic proxy = mark.traffic("sha256:aa", "Go-http-client/");

    assertThat(berth).isEqualTo(new AccessLog.Traffic(2, 1, 1048576 + 512));
    assertThat(proxy).isEqualTo(new AccessLog.Traffic(0, 1, 0));
  }
}
