package io.videoshop.notification;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheFactory;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The mail templates (Mustache, under {@code mail/} on the classpath): per template and language
 * a subject, a plain-text and an HTML body, framed by the language's layout with the tenant's name
 * and colour. Adding a mail: one {@link Template} line here (its name, whether it is essential and
 * sample values for the preview) and the files {@code mail/<name>/<language>/subject.mustache},
 * {@code text.mustache} and {@code html.mustache}, English at least.
 */
public final class MailTemplates {
  public static final String FALLBACK_LANGUAGE = "en";
  public static final List<String> LANGUAGES = List.of("en", "de");

  /**
   * @param essential essential mail (security, account) goes out whatever the recipient's
   *     preferences; the rest carries List-Unsubscribe and respects the opt-out
   */
  public record Template(String name, boolean essential, Map<String, Object> sample) {}

  /** A booking's mails (Scheduling): the time in the shopper's and the shop's zone, the signed links. */
  private static final Map<String, Object> BOOKING_SAMPLE = Map.of("name", "Sam Shopper", "agentName", "Alex Agent",
      "shopperTime", "Tue 13 Jan 2026, 09:00", "shopperZone", "America/New_York",
      "tenantTime", "Tue 13 Jan 2026, 15:00", "tenantZone", "Europe/Berlin",
      "changeUntil", "Tue 13 Jan 2026, 07:00", "manageLink", "https://shop.example/#videoshop-booking=sample",
      "joinLink", "https://shop.example/#videoshop-booking=sample");

  public static final List<Template> ALL = List.of(
      new Template("invitation", true, Map.of("role", "agent", "link", "https://shop.example/account/invitation#token=inv_sample",
          "expiresAt", "2026-01-08 09:00 UTC")),
      new Template("password_reset", true, Map.of("link", "https://shop.example/account/password-reset#token=rst_sample",
          "minutes", 60)),
      new Template("password_changed", true, Map.of("at", "2026-01-01 09:00 UTC")),
      new Template("account_locked", true, Map.of("failures", 5, "minutes", 15, "until", "2026-01-01 09:15 UTC")),
      new Template("new_sign_in", true, Map.of("at", "2026-01-01 09:00 UTC", "device", "Firefox on Linux",
          "address", "203.0.113.7")),
      new Template("call_summary", false, Map.of("agentName", "Alex Agent", "products", List.of(
          Map.of("name", "Trail shoe", "url", "https://shop.example/p/trail"),
          Map.of("name", "Hiking socks", "url", "https://shop.example/p/socks")))),
      new Template("low_balance", false, Map.of("minutesLeft", 9, "topUpLink", "https://videoshop.example/admin/wallet")),
      new Template("webhook_disabled", false, Map.of("url", "https://crm.example.com/videoshop",
          "failingSince", "2026-01-01T09:00:00Z", "endpointsLink", "https://videoshop.example/admin")),
      new Template("trial_ending", false, Map.of("endsAt", "2026-01-15", "minutesLeft", 12)),
      new Template("booking_confirmation", true, BOOKING_SAMPLE),
      new Template("booking_changed", true, BOOKING_SAMPLE),
      new Template("booking_cancelled", true, BOOKING_SAMPLE),
      new Template("booking_reminder", true, BOOKING_SAMPLE));

  /** A rendered mail. */
  public record Rendered(String subject, String text, String html) {}

  /** What a tenant's mail looks like: the name it is sent under, where replies go, its colour. */
  public record Branding(String senderName, String replyTo, String colour) {}

  private final MustacheFactory html = new DefaultMustacheFactory();
  private final MustacheFactory plain = new DefaultMustacheFactory() {
    @Override
    public void encode(String value, Writer writer) {
      try {
        writer.write(value);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };
  private final Map<String, Mustache> compiled = new ConcurrentHashMap<>();

  public static Optional<Template> find(String name) {
    return ALL.stream().filter(template -> template.name().equals(name)).findFirst();
  }

  /** The language the recipient gets: theirs when a template exists in it, else English. */
  public static String language(String wanted) {
    String language = wanted == null ? "" : wanted.trim().toLowerCase(Locale.ROOT);
    if (language.length() > 2) language = language.substring(0, 2);
    return LANGUAGES.contains(language) ? language : FALLBACK_LANGUAGE;
  }

  public Rendered render(String template, String wantedLanguage, Map<String, Object> values, Branding branding,
      String unsubscribeUrl) {
    return render(template, wantedLanguage, values, branding, unsubscribeUrl, null);
  }

  /** @param consentUrl the shared footer's link that withdraws a shopper's consent (null: not a shopper's mail) */
  public Rendered render(String template, String wantedLanguage, Map<String, Object> values, Branding branding,
      String unsubscribeUrl, String consentUrl) {
    String language = language(wantedLanguage);
    Map<String, Object> scope = new HashMap<>(values);
    scope.put("tenantName", branding.senderName());
    scope.put("colour", branding.colour());
    if (unsubscribeUrl != null) scope.put("unsubscribeUrl", unsubscribeUrl);
    if (consentUrl != null) scope.put("consentUrl", consentUrl);
    String subject = run(plain, "mail/" + template + "/" + language + "/subject.mustache", scope).strip();
    String text = run(plain, "mail/" + template + "/" + language + "/text.mustache", scope);
    String htmlBody = run(html, "mail/" + template + "/" + language + "/html.mustache", scope);
    Map<String, Object> frame = new LinkedHashMap<>(scope);
    frame.put("subject", subject);
    frame.put("body", htmlBody);
    frame.put("text", text);
    return new Rendered(subject, run(plain, "mail/layout/" + language + "/text.mustache", frame),
        run(html, "mail/layout/" + language + "/html.mustache", frame));
  }

  private String run(MustacheFactory factory, String resource, Map<String, Object> scope) {
    Mustache mustache = compiled.computeIfAbsent((factory == html ? "h:" : "p:") + resource, key -> {
      if (MailTemplates.class.getClassLoader().getResource(resource) == null) {
        throw new IllegalArgumentException("no mail template " + resource);
      }
      return factory.compile(resource);
    });
    StringWriter out = new StringWriter();
    mustache.execute(out, scope);
    return out.toString();
  }
}
