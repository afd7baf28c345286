package dev.berth.oci;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** A platform as an index names it: {@code os/architecture[/variant]}. */
public record Platform(String os, String architecture, @Nullable String variant) {
  public static final Platform LINUX_AMD64 = new Platform("linux", "amd64", null);

  private static final Pattern FORM = Pattern.compile("([a-z0-9]+)/([a-z0-9_]+)(?:/([a-z0-9]+))?");

  /**
   * Parses {@code os/arch[/variant]}, in any case ({@code linux/arm64/v8}).
   *
   * @throws IllegalArgumentException for anything else
   */
  public static Platform parse(String text) {
    Matcher m = FORM.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "not a platform: \"" + text.trim() + "\" (expected os/arch[/variant])");
    }
    return new Platform(m.group(1), m.group(2), m.group(3));
  }

  /**
   * Whether an image for {@code p} is one this platform asks for: the same os and architecture, and
   * the same variant unless this names none ({@code linux/arm64} covers {@code linux/arm64/v8}).
   */
  public boolean covers(@Nullable Platform p) {
    return p != null
        && os.equals(p.os())
        && architecture.equals(p.architecture())
        && (variant == null || variant.equals(p.variant()));
  }

  /**
   * The first of {@code wanted} ({@code os/arch[/variant]} each) that {@link #covers} {@code p}, or
   * null when none does or {@code p} is null.
   */
  public static @Nullable String firstCovering(
      java.util.List<String> wanted, @Nullable Platform p) {
    if (p == null) {
      return null;
    }
    for (String w : wanted) {
      if (parse(w).covers(p)) {
        return w;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return os + "/" + architecture + (variant == null ? "" : "/" + variant);
  }
}
