package dev.berth.pull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.QueryParams;
import dev.berth.errors.OciError;
import dev.berth.pull.TagLister.Page;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Pages of a tag list. An upstream that pages itself (it sent a {@code Link}) is passed through;
 * one that ignored {@code n} and {@code last} (Distribution 2.8 does) is paged here, in lexical
 * order as the distribution spec requires, so clients page the same way whatever the upstream.
 */
final class TagPages {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NEXT = Pattern.compile("<[^>]*\\?([^>]*)>");

  private TagPages() {}

  static Page page(byte[] body, @Nullable String link, QueryParams query, boolean stale) {
    String n = query.get("n");
    String last = query.get("last");
    if (link != null || (n == null && last == null)) {
      return new Page(body, nextQuery(link), stale);
    }
    ObjectNode list = parse(body);
    List<String> tags = new ArrayList<>();
    list.path("tags").forEach(t -> tags.add(t.asText()));
    tags.sort(null);
    if (last != null) {
      tags.removeIf(t -> t.compareTo(last) <= 0);
    }
    int size = n == null ? tags.size() : limit(n);
    List<String> page = tags.subList(0, Math.min(size, tags.size()));
    ArrayNode array = list.putArray("tags");
    page.forEach(array::add);
    String next =
        page.size() < tags.size() && !page.isEmpty()
            ? "n=" + size + "&last=" + page.get(page.size() - 1)
            : null;
    return new Page(list.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), next, stale);
  }

  private static int limit(String n) {
    try {
      int v = Integer.parseInt(n);
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw OciError.PAGINATION_NUMBER_INVALID.with(
        "n: " + n + " (expected: a whole number, 0 or more)");
  }

  private static ObjectNode parse(byte[] body) {
    try {
      JsonNode node = JSON.readTree(body);
      if (node instanceof ObjectNode object) {
        return object;
      }
    } catch (IOException e) {
      // Reported below.
    }
    throw OciError.UPSTREAM_INVALID.with("the upstream's tag list is not a JSON object");
  }

  /** The query of the next page from an upstream {@code Link: </v2/...?n=2&last=b>; rel="next"}. */
  static @Nullable String nextQuery(@Nullable String link) {
    if (link == null) {
      return null;
    }
    Matcher m = NEXT.matcher(link);
    return m.find() ? m.group(1) : null;
  }
}
