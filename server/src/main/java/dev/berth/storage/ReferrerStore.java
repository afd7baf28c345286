package dev.berth.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.oci.Digest;
import java.io.IOException;
import java.util.List;

/** The referrers of each subject in local repositories, as descriptors. Thread-safe. */
public interface ReferrerStore {
  /** Records {@code descriptor} as a referrer of {@code subject}. */
  void put(String registry, String repository, Digest subject, ObjectNode descriptor)
      throws IOException;

  /** Forgets {@code referrer} as a referrer of {@code subject}. */
  void remove(String registry, String repository, Digest subject, Digest referrer)
      throws IOException;

  /** The descriptors of the referrers of {@code subject}, sorted by digest. */
  List<JsonNode> list(String registry, String repository, Digest subject) throws IOException;
}
