package dev.berth.pull;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.QueryParams;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TagPagesTest {
  private static final byte[] LIST =
      "{\"name\":\"r\",\"tags\":[\"c\",\"a\",\"b\",\"d\"]}".getBytes(StandardCharsets.UTF_8);

  private static String body(TagLister.Page p) {
    return new String(p.body(), StandardCharsets.UTF_8);
  }

  @Test
  void pagesAListTheUpstreamDidNotPage() {
    TagLister.Page first = TagPages.page(LIST, null, QueryParams.of("n", "3"), false);
    assertThat(body(first)).isEqualTo("{\"name\":\"r\",\"tags\":[\"a\",\"b\",\"c\"]}");
    assertThat(first.next()).isEqualTo("n=3&last=c");
    TagLister.Page second = TagPages.page(LIST, null, QueryParams.of("n", "3", "last", "c"), false);
    assertThat(body(second)).isEqualTo("{\"name\":\"r\",\"tags\":[\"d\"]}");
    assertThat(second.next()).isNull();
  }

  @Test
  void passesThroughWhatTheUpstreamPaged() {
    TagLister.Page p =
        TagPages.page(
            LIST, "</v2/r/tags/list?n=4&last=d>; rel=\"next\"", QueryParams.of("n", "4"), true);
    assertThat(p.body()).isEqualTo(LIST);
    assertThat(p.next()).isEqualTo("n=4&last=d");
    assertThat(p.stale()).isTrue();
    assertThat(TagPages.page(LIST, null, QueryParams.of(), false).body()).isEqualTo(LIST);
  }
}
