package dev.berth.access;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.config.AuthConfig;
import dev.berth.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientAccessTest {
  private static final List<AuthConfig.Rule> RULES =
      List.of(new AuthConfig.Rule(List.of("*"), List.of("*"), List.of()));

  @Test
  void htpasswdLinesThatAreNotBcryptAreRefusedWithoutQuotingThem(@TempDir Path dir)
      throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("htpasswd"), "# comment\n\nbob:$apr1$abcdefgh$clear-ish-secret\n");
    assertThatThrownBy(() -> ClientAccess.of(new AuthConfig(file, null, RULES)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(file + ":3: auth.htpasswd")
        .hasMessageContaining("htpasswd -B")
        .hasMessageNotContaining("clear-ish-secret");
  }

  @Test
  void authWithoutRulesIsAConfigurationError() {
    assertThatThrownBy(() -> new AuthConfig(null, null, List.of()))
        .hasMessageContaining("at least one rule");
  }
}
