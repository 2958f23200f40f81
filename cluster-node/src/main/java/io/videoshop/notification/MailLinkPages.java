package io.videoshop.notification;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.respondWithHeaders;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The pages mail links land on: accept an invitation, set a new password (their token in the
 * link's fragment), unsubscribe (its token in the query; the page posts it, a GET changes nothing),
 * withdraw a shopper's consent (its token in the fragment; the page posts it).
 * Static pages that call the public API.
 */
public final class MailLinkPages {
  private static final List<org.apache.pekko.http.javadsl.model.HttpHeader> HEADERS = List.of(
      RawHeader.create("Cache-Control", "no-store"), RawHeader.create("Referrer-Policy", "no-referrer"),
      RawHeader.create("X-Content-Type-Options", "nosniff"),
      RawHeader.create("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'"));
  private static final ContentType JS = MediaTypes.APPLICATION_JAVASCRIPT.toContentType(HttpCharsets.UTF_8);
  private static final ContentType CSS = MediaTypes.TEXT_CSS.toContentType(HttpCharsets.UTF_8);

  private MailLinkPages() {}

  public static Route route() {
    return get(() -> respondWithHeaders(HEADERS, () -> concat(
        pathPrefix("account", () -> concat(
            path("invitation", () -> file("invitation.html", ContentTypes.TEXT_HTML_UTF8)),
            path("password-reset", () -> file("password-reset.html", ContentTypes.TEXT_HTML_UTF8)),
            path("pages.js", () -> file("pages.js", JS)),
            path("pages.css", () -> file("pages.css", CSS)))),
        path("unsubscribe", () -> file("unsubscribe.html", ContentTypes.TEXT_HTML_UTF8)),
        pathPrefix("privacy", () -> path("consent", () -> file("consent.html", ContentTypes.TEXT_HTML_UTF8))))));
  }

  private static Route file(String name, ContentType type) {
    try (InputStream in = MailLinkPages.class.getClassLoader().getResourceAsStream("mail-pages/" + name)) {
      if (in == null) throw new IllegalStateException("mail-pages/" + name + " is missing from the jar");
      return complete(HttpResponse.create().withEntity(HttpEntities.create(type, in.readAllBytes())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
