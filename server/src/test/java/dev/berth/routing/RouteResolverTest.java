package dev.berth.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.config.BerthConfig;
import dev.berth.config.ConfigLoader;
import dev.berth.errors.OciError;
import dev.berth.errors.RegistryException;
import java.io.StringReader;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteResolverTest {
  private static final BerthConfig CONFIG =
      new ConfigLoader(Map.<String, String>of()::get)
          .parse(
              "test.yaml",
              new StringReader(
                  """
                  localPrefixes: [team/internal]
                  upstreams:
                    - name: docker.io
                    - name: ghcr.io
                    - name: "*-docker.pkg.dev"
                    - name: localhost:5001
                  """));
  private final RouteResolver resolver = new RouteResolver(CONFIG);

  @ParameterizedTest(name = "{0} ns={1}")
  @CsvSource(
      nullValues = "-",
      textBlock =
          """
          # path                                          | ns                    | registry                   | repository            | kind     | ref
          library/alpine/manifests/3.20                   | docker.io             | docker.io                  | library/alpine        | MANIFEST | 3.20
          alpine/manifests/3.20                           | docker.io             | docker.io                  | library/alpine        | MANIFEST | 3.20
          alpine/manifests/3.20                           | -                     | docker.io                  | library/alpine        | MANIFEST | 3.20
          org/img/manifests/1                             | ghcr.io               | ghcr.io                    | org/img               | MANIFEST | 1
          ghcr.io/org/img/manifests/1                     | ghcr.io               | ghcr.io                    | org/img               | MANIFEST | 1
          ghcr.io/org/img/manifests/1                     | -                     | ghcr.io                    | org/img               | MANIFEST | 1
          docker.io/alpine/blobs/sha256:abc               | -                     | docker.io                  | library/alpine        | BLOB     | sha256:abc
          index.docker.io/library/alpine/tags/list        | -                     | docker.io                  | library/alpine        | TAGS     | ''
          us-central1-docker.pkg.dev/p/r/img/manifests/v1 | -                     | us-central1-docker.pkg.dev | p/r/img               | MANIFEST | v1
          p/r/img/manifests/v1                            | us-central1-docker.pkg.dev | us-central1-docker.pkg.dev | p/r/img          | MANIFEST | v1
          localhost:5001/x/manifests/1                    | -                     | localhost:5001             | x                     | MANIFEST | 1
          team/internal/app/manifests/1                   | -                     | local                      | team/internal/app     | MANIFEST | 1
          team/internal/app/manifests/1                   | docker.io             | docker.io                  | team/internal/app     | MANIFEST | 1
          team/internalx/manifests/1                      | -                     | docker.io                  | team/internalx        | MANIFEST | 1
          org/img/blobs/uploads/                          | -                     | docker.io                  | org/img               | UPLOAD   | ''
          org/img/blobs/uploads/abc-123                   | -                     | docker.io                  | org/img               | UPLOAD   | abc-123
          a/manifests/b/manifests/c                       | -                     | docker.io                  | a/manifests/b         | MANIFEST | c
          """,
      delimiter = '|')
  void resolvesInDesignPrecedence(
      String path, String ns, String registry, String repository, String kind, String ref) {
    RegistryRoute route = resolver.resolve(path, ns);
    assertThat(route.target().registry()).isEqualTo(registry);
    assertThat(route.target().repository().value()).isEqualTo(repository);
    assertThat(route.kind()).hasToString(kind);
    assertThat(route.reference().text()).isEqualTo(ref);
    assertThat(route.target().isLocal()).isEqualTo(registry.equals("local"));
  }

  @ParameterizedTest(name = "{0} ns={1}")
  @CsvSource(
      nullValues = "-",
      textBlock =
          """
          evil.com/x/manifests/1          | -         | DENIED
          x/manifests/1                   | quay.io   | DENIED
          docker.pkg.dev/x/manifests/1    | -         | DENIED
          Alpine/manifests/1              | -         | NAME_INVALID
          library/alpine                  | -         | NAME_UNKNOWN
          library/alpine/manifests/       | -         | NAME_UNKNOWN
          """,
      delimiter = '|')
  void rejectsWhatItCannotRoute(String path, String ns, OciError error) {
    assertThatThrownBy(() -> resolver.resolve(path, ns))
        .isInstanceOfSatisfying(
            RegistryException.class, e -> assertThat(e.error()).isEqualTo(error));
  }
}
