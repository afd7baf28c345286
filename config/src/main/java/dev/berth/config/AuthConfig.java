package dev.berth.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Who may pull and push what through Berth. Without this section every client may pull, and push
 * where an upstream's {@code push} switch (or a local prefix) allows it. With it, clients
 * authenticate with HTTP Basic: a user of the htpasswd file with its password, or a static token's
 * user with the token as password; each rule grants its users pull or push on repositories whose
 * {@code <registry>/<repository>} starts with one of its prefixes.
 *
 * @param htpasswd a file of {@code user:bcrypt-hash} lines ({@code htpasswd -B}); null for none
 * @param tokens static tokens, each the password of its user
 * @param rules the grants; a request that no rule allows is refused
 */
public record AuthConfig(@Nullable Path htpasswd, List<StaticToken> tokens, List<Rule> rules) {

  /** A user whose password is {@code token}. */
  public record StaticToken(String user, Secret token) {
    @JsonCreator
    public StaticToken(
        @JsonProperty("user") @Nullable String user,
        @JsonProperty("token") @Nullable Secret token) {
      if (user == null || user.isBlank() || user.contains(":")) {
        throw new InvalidValueException("user is required and may not contain ':'");
      }
      if (token == null) {
        throw new InvalidValueException("token is required (e.g. ${CI_TOKEN} or file:/path)");
      }
      this.user = user;
      this.token = token;
    }
  }

  /**
   * A grant: {@code users} (user names, {@code "*"} for any authenticated user, {@code "anonymous"}
   * for clients without credentials) may pull from and push to repositories under {@code pull} and
   * {@code push} prefixes ({@code docker.io/library/}, {@code local/team/}, or {@code "*"} for
   * all).
   */
  public record Rule(List<String> users, List<String> pull, List<String> push) {
    @JsonCreator
    public Rule(
        @JsonProperty("users") @Nullable List<String> users,
        @JsonProperty("pull") @Nullable List<String> pull,
        @JsonProperty("push") @Nullable List<String> push) {
      if (users == null || users.isEmpty()) {
        throw new InvalidValueException("users is required (names, \"*\" or \"anonymous\")");
      }
      this.users = List.copyOf(users);
      this.pull = pull == null ? List.of() : List.copyOf(pull);
      this.push = push == null ? List.of() : List.copyOf(push);
    }
  }

  @JsonCreator
  public AuthConfig(
      @JsonProperty("htpasswd") @Nullable Path htpasswd,
      @JsonProperty("tokens") @Nullable List<StaticToken> tokens,
      @JsonProperty("rules") @Nullable List<Rule> rules) {
    this.htpasswd = htpasswd;
    this.tokens = tokens == null ? List.of() : List.copyOf(tokens);
    this.rules = rules == null ? List.of() : List.copyOf(rules);
    if (this.rules.isEmpty()) {
      throw new InvalidValueException("rules: at least one rule is needed, or nobody gets in");
    }
  }
}
