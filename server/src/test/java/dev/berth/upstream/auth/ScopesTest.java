package dev.berth.upstream.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScopesTest {
  @Test
  void actionsOfOneRepositoryAreJoinedAndRepositoriesSorted() {
    assertThat(
            Scopes.merge(
                List.of(
                    "repository:b:push",
                    "repository:a:pull",
                    "repository:b:pull",
                    "repository:a:pull")))
        .isEqualTo("repository:a:pull repository:b:pull,push");
  }

  @Test
  void crossRepositoryMountNeedsBothInOneRequest() {
    String merged = Scopes.merge(List.of("repository:dst:push,pull", "repository:src:pull"));
    assertThat(merged).isEqualTo("repository:dst:pull,push repository:src:pull");
    assertThat(Scopes.split(merged))
        .containsExactly("repository:dst:pull,push", "repository:src:pull");
  }

  @Test
  void namesWithAPortAndOtherResourceTypesKeepTheirShape() {
    assertThat(Scopes.merge(List.of("repository:localhost:5000/app:pull registry:catalog:*", "  ")))
        .isEqualTo("registry:catalog:* repository:localhost:5000/app:pull");
    assertThat(Scopes.merge(List.of())).isEmpty();
    assertThat(Scopes.split("")).isEmpty();
  }
}
