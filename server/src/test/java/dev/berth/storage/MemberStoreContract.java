package dev.berth.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.oci.Digest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * What every {@link MemberStore} promises: a repository holds only what was recorded for it, a
 * blob's record never overwrites a manifest's type, and records last across a restart. A backend's
 * test extends this class.
 */
public abstract class MemberStoreContract {
  /** A new, empty store. */
  protected abstract MemberStore newStore() throws Exception;

  /** The same store as {@code store} sees it after a restart (nothing in memory). */
  protected abstract MemberStore reopen(MemberStore store) throws Exception;

  private static final Digest LAYER = Digest.sha256("layer".getBytes(StandardCharsets.UTF_8));
  private static final Digest IMAGE = Digest.sha256("image".getBytes(StandardCharsets.UTF_8));
  private static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";

  @Test
  void aRepositoryHoldsOnlyWhatWasRecordedForIt() throws Exception {
    MemberStore store = newStore();
    store.put("docker.io", "library/alpine", LAYER, MemberStore.BLOB);
    store.put("docker.io", "library/alpine", IMAGE, MANIFEST);

    MemberStore again = reopen(store);
    assertThat(again.cached("docker.io", "library/alpine", LAYER)).isEmpty();
    assertThat(again.get("docker.io", "library/alpine", LAYER)).contains(MemberStore.BLOB);
    assertThat(again.get("docker.io", "library/alpine", IMAGE)).contains(MANIFEST);
    assertThat(again.get("docker.io", "library/busybox", LAYER)).isEmpty();
    assertThat(again.get("ghcr.io", "library/alpine", LAYER)).isEmpty();
    assertThat(again.get("docker.io", "library", LAYER)).isEmpty();
  }

  @Test
  void aBlobRecordNeverOverwritesAManifestsType() throws Exception {
    MemberStore store = newStore();
    store.put("local", "team/app", IMAGE, MANIFEST);
    store.put("local", "team/app", IMAGE, MemberStore.BLOB);
    assertThat(store.get("local", "team/app", IMAGE)).contains(MANIFEST);
    assertThat(reopen(store).get("local", "team/app", IMAGE)).contains(MANIFEST);

    // A fresh process, whose memory does not hold the manifest's record, keeps it too.
    MemberStore fresh = reopen(store);
    fresh.put("local", "team/app", IMAGE, MemberStore.BLOB);
    assertThat(reopen(store).get("local", "team/app", IMAGE)).contains(MANIFEST);

    String docker = "application/vnd.docker.distribution.manifest.v2+json";
    store.put("local", "team/app", IMAGE, docker);
    assertThat(reopen(store).get("local", "team/app", IMAGE)).contains(docker);
  }

  @Test
  void aRemovedRecordIsGoneAfterARestart() throws Exception {
    MemberStore store = newStore();
    store.put("local", "team/app", LAYER, MemberStore.BLOB);
    store.put("local", "team/other", LAYER, MemberStore.BLOB);
    store.remove("local", "team/app", LAYER);

    assertThat(store.get("local", "team/app", LAYER)).isEmpty();
    MemberStore again = reopen(store);
    assertThat(again.get("local", "team/app", LAYER)).isEmpty();
    assertThat(again.get("local", "team/other", LAYER)).contains(MemberStore.BLOB);
  }
}
