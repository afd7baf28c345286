package dev.berth.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * What every {@link TagStore} promises: a record reads back as written, also after a restart, a tag
 * list answer is kept per query, and each repository's tags are its own. A backend's test extends
 * this class.
 */
public abstract class TagStoreContract {
  /** A new, empty store. */
  protected abstract TagStore newStore() throws Exception;

  /** The same store as {@code store} sees it after a restart (nothing in memory). */
  protected abstract TagStore reopen(TagStore store) throws Exception;

  private static final Digest ONE = Digest.sha256("one".getBytes(StandardCharsets.UTF_8));
  private static final Digest TWO = Digest.sha256("two".getBytes(StandardCharsets.UTF_8));
  private static final String INDEX = "application/vnd.oci.image.index.v1+json";

  @Test
  void aRecordReadsBackAsWrittenAndIsReplacedByTheNext() throws Exception {
    TagStore store = newStore();
    Instant checked = Instant.ofEpochMilli(1_700_000_000_123L);
    assertThat(store.get("docker.io", "library/alpine", "3.20")).isEmpty();

    store.put("docker.io", "library/alpine", "3.20", new TagRecord(ONE, INDEX, checked));
    assertThat(store.cached("docker.io", "library/alpine", "3.20"))
        .contains(new TagRecord(ONE, INDEX, checked));
    store.put(
        "docker.io", "library/alpine", "3.20", new TagRecord(TWO, INDEX, checked.plusSeconds(60)));

    TagStore again = reopen(store);
    assertThat(again.cached("docker.io", "library/alpine", "3.20")).isEmpty();
    assertThat(again.get("docker.io", "library/alpine", "3.20"))
        .contains(new TagRecord(TWO, INDEX, checked.plusSeconds(60)));
    assertThat(again.get("docker.io", "library/alpine", "3.21")).isEmpty();
    assertThat(again.get("ghcr.io", "library/alpine", "3.20")).isEmpty();
  }

  @Test
  void eachRepositoryListsItsOwnTagsSortedAndADeletedTagIsGone() throws Exception {
    TagStore store = newStore();
    Instant now = Instant.ofEpochMilli(1_700_000_000_000L);
    for (String tag : new String[] {"b", "A", "a", "1.0", "latest"}) {
      store.put("local", "team/app", tag, new TagRecord(ONE, INDEX, now));
    }
    store.put("local", "team/app/sub", "other", new TagRecord(ONE, INDEX, now));
    store.put("local", "team", "top", new TagRecord(ONE, INDEX, now));

    assertThat(store.tags("local", "team/app")).containsExactly("1.0", "A", "a", "b", "latest");
    assertThat(store.delete("local", "team/app", "a")).isTrue();
    assertThat(store.delete("local", "team/app", "a")).isFalse();

    TagStore again = reopen(store);
    assertThat(again.tags("local", "team/app")).containsExactly("1.0", "A", "b", "latest");
    assertThat(again.tags("local", "team")).containsExactly("top");
    assertThat(again.tags("local", "nobody")).isEmpty();
    assertThat(again.get("local", "team/app", "a")).isEmpty();
  }

  @Test
  void aTagListAnswerIsKeptPerQuery() throws Exception {
    TagStore store = newStore();
    byte[] first = "{\"tags\":[\"a\"]}".getBytes(StandardCharsets.UTF_8);
    byte[] page = "{\"tags\":[\"b\"]}".getBytes(StandardCharsets.UTF_8);
    store.putList("docker.io", "library/alpine", "all", new TagStore.TagList(first, null));
    store.putList(
        "docker.io",
        "library/alpine",
        "n=1",
        new TagStore.TagList(page, "</v2/library/alpine/tags/list?n=1&last=b>; rel=\"next\""));
    store.putList("docker.io", "library/alpine", "all", new TagStore.TagList(page, null));

    TagStore again = reopen(store);
    TagStore.TagList all = again.getList("docker.io", "library/alpine", "all").orElseThrow();
    assertThat(all.body()).isEqualTo(page);
    assertThat(all.link()).isNull();
    assertThat(again.getList("docker.io", "library/alpine", "n=1").orElseThrow().link())
        .isEqualTo("</v2/library/alpine/tags/list?n=1&last=b>; rel=\"next\"");
    assertThat(again.getList("docker.io", "library/other", "all")).isEmpty();
  }
}
