package dev.berth.http;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.RequestHeaders;
import dev.berth.oci.MediaTypes;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The manifest media types a client's {@code Accept} headers allow. A client that sends no {@code
 * Accept}, or a wildcard, takes any type.
 */
record AcceptedTypes(Set<String> types, boolean any) {
  static AcceptedTypes of(RequestHeaders headers) {
    Set<String> types = new LinkedHashSet<>();
    for (String header : headers.getAll(HttpHeaderNames.ACCEPT)) {
      for (String part : header.split(",")) {
        String t = MediaTypes.bare(part);
        if (!t.isEmpty()) {
          types.add(t);
        }
      }
    }
    boolean any = types.isEmpty() || types.contains("*/*") || types.contains("application/*");
    return new AcceptedTypes(Set.copyOf(types), any);
  }

  boolean accepts(String mediaType) {
    return any || types.contains(MediaTypes.bare(mediaType));
  }

  @Override
  public String toString() {
    return any ? "*/*" : String.join(", ", types);
  }
}
