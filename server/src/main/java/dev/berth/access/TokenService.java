package dev.berth.access;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.berth.errors.OciError;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/**
 * {@link ClientAccess#TOKEN_PATH}: Berth's token endpoint, in the two forms clients use. {@code
 * GET} with optional {@code Basic} credentials (Docker, podman, skopeo; none for an anonymous
 * token) and the OAuth2 password grant as a {@code POST} form (containerd tries it first). Wrong
 * credentials are {@code 401}; an anonymous token needs a rule for {@code anonymous}. Thread-safe.
 */
public final class TokenService implements HttpService {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_FORM_BYTES = 16 << 10;

  private final ClientAccess access;

  public TokenService(ClientAccess access) {
    this.access = access;
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    if (ctx.method() == HttpMethod.GET) {
      String header = req.headers().get(HttpHeaderNames.AUTHORIZATION);
      Optional<String> user =
          header == null || header.isBlank() ? Optional.empty() : access.basicUser(header);
      return answer(user, false);
    }
    if (ctx.method() != HttpMethod.POST) {
      throw OciError.UNSUPPORTED.with(ctx.method() + " on " + ctx.path() + "; use GET or POST");
    }
    ctx.setMaxRequestLength(MAX_FORM_BYTES);
    return HttpResponse.of(
        req.aggregate()
            .thenApplyAsync(
                agg -> {
                  QueryParams form =
                      QueryParams.fromQueryString(agg.content(StandardCharsets.UTF_8));
                  if (!"password".equals(form.get("grant_type"))) {
                    // Berth issues no refresh tokens: the client falls back to GET.
                    throw OciError.REQUEST_INVALID.with(
                        "grant_type " + form.get("grant_type") + " (expected: password)");
                  }
                  String name = form.get("username", "");
                  String password = form.get("password", "");
                  return answer(Optional.of(access.authenticate(name, password)), true);
                },
                ctx.blockingTaskExecutor()));
  }

  private HttpResponse answer(Optional<String> user, boolean oauth) {
    if (user.isEmpty() && !access.anonymousAllowed()) {
      throw access.unauthorized("authentication required: no rule grants anonymous anything");
    }
    String token = access.issue(user);
    ObjectNode body = JSON.createObjectNode();
    body.put(oauth ? "access_token" : "token", token);
    if (!oauth) {
      body.put("access_token", token);
    }
    body.put("expires_in", BearerTokens.LIFETIME.toSeconds());
    body.put("issued_at", Instant.now().toString());
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, body.toString());
  }
}
