package io.videoshop.web;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.conditional;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;
import static org.apache.pekko.http.javadsl.server.Directives.parameterOptional;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEndOrSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.reject;
import static org.apache.pekko.http.javadsl.server.Directives.respondWithHeaders;

import io.videoshop.access.FirstStart;
import io.videoshop.access.WidgetKeys;
import io.videoshop.http.Blocking;
import io.videoshop.http.Json;
import io.videoshop.tenant.Tenant;
import io.videoshop.tenant.Tenants;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.EntityTag;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The browser side of the product, served by every node: the shopper's widget ({@code /widget.js},
 * one script tag on a merchant's store), the demo store ({@code /demo}, with the demo tenant's
 * widget key filled in), the agent console ({@code /console}), the admin app ({@code /admin},
 * docs/admin.md) and their assets under {@code /web/<file>} (the charts library under
 * {@code /web/vendor/}). Plain files from {@code web/} on the classpath; only names made of
 * lower-case letters, digits and dashes with a known extension are looked up, so no path can
 * leave that folder. {@code /widget/status} tells a widget whose socket was refused why;
 * {@code /widget/config} tells it how its tenant wants it to look.
 */
public final class WebPages {
  private static final String FOLDER = "web/";
  /** What {@code /web/<name>} serves: pages are reached by their own paths only. */
  private static final Pattern ASSET = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}\\.(js|css|svg|png)");
  private static final Map<String, ContentType> TYPES = Map.of(
      "js", ContentTypes.parse("text/javascript; charset=UTF-8"),
      "css", ContentTypes.parse("text/css; charset=UTF-8"),
      "svg", ContentTypes.parse("image/svg+xml"),
      "png", ContentTypes.parse("image/png"),
      "webmanifest", ContentTypes.parse("application/manifest+json"),
      "html", ContentTypes.TEXT_HTML_UTF8);
  private static final List<HttpHeader> EVERY_FILE = List.of(
      RawHeader.create("X-Content-Type-Options", "nosniff"),
      RawHeader.create("Cache-Control", "no-cache"));
  /** The widget and its assets run on merchants' pages: any origin may load them (client.js as a module). */
  private static final List<HttpHeader> WIDGET = List.of(
      RawHeader.create("Cross-Origin-Resource-Policy", "cross-origin"),
      RawHeader.create("Access-Control-Allow-Origin", "*"));
  /** The console holds an agent's tokens: its own scripts only, never framed by another site. */
  private static final List<HttpHeader> CONSOLE = List.of(
      RawHeader.create("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "
          + "img-src 'self' https: http: data:; media-src 'self' blob: mediastream:; connect-src 'self'; "
          + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
      RawHeader.create("X-Frame-Options", "DENY"),
      RawHeader.create("Referrer-Policy", "no-referrer"));

  /**
   * The admin app holds an owner's or the operator's tokens: like the console, its own scripts
   * only (the charts library comes from the node too), no media, never framed.
   */
  private static final List<HttpHeader> ADMIN = List.of(
      RawHeader.create("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "
          + "img-src 'self' data: blob:; connect-src 'self'; frame-src 'self'; "
          + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
      RawHeader.create("X-Frame-Options", "DENY"),
      RawHeader.create("Referrer-Policy", "no-referrer"));
  /**
   * The admin app's live preview of the widget (framed by /admin only): no tokens in it; styles
   * inline because the widget sets its corner and accent in style attributes.
   */
  private static final List<HttpHeader> PREVIEW = List.of(
      RawHeader.create("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
          + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"),
      RawHeader.create("X-Frame-Options", "SAMEORIGIN"),
      RawHeader.create("Referrer-Policy", "no-referrer"));
  /** The charts library of the admin app: uPlot from its Maven webjar, under names of our own. */
  private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";
  private static final Map<String, String> VENDOR = Map.of(
      "uplot.js", UPLOT + "uPlot.esm.js",
      "uplot.css", UPLOT + "uPlot.min.css");

  private final Tenants tenants;
  private final WidgetKeys widgetKeys;
  private final Blocking blocking;
  private final Map<String, Optional<Asset>> cache = new ConcurrentHashMap<>();

  public WebPages(Tenants tenants, WidgetKeys widgetKeys, Blocking blocking) {
    this.tenants = tenants;
    this.widgetKeys = widgetKeys;
    this.blocking = blocking;
  }

  /** A file of {@code web/}: its bytes, content type and entity tag, read once. */
  private record Asset(byte[] bytes, ContentType type, EntityTag etag) {}

  public Route route() {
    return get(() -> concat(
        path("widget.js", () -> respondWithHeaders(WIDGET, () -> file("widget.js"))),
        path("demo", () -> pathEndOrSingleSlash(this::demo)),
        path("console", () -> respondWithHeaders(CONSOLE, () -> file("console.html"))),
        path("admin", () -> respondWithHeaders(ADMIN, () -> file("admin.html"))),
        // The installable console: its manifest, and its service worker at the root so its scope
        // can be /console (a worker's scope is at most the folder it is served from).
        path("console.webmanifest", () -> file("console.webmanifest")),
        path("console-sw.js", () -> respondWithHeaders(CONSOLE, () -> file("console-sw.js"))),
        pathPrefix("widget", () -> concat(path("status", this::widgetStatus), path("config", this::widgetConfig),
            path("preview", () -> respondWithHeaders(PREVIEW, () -> file("widget-preview.html"))))),
        pathPrefix("web", () -> pathPrefix("vendor", () -> path(name -> VENDOR.containsKey(name)
            ? respondWithHeaders(EVERY_FILE, () -> asset(VENDOR.get(name), name)) : reject()))),
        pathPrefix("web", () -> path(name -> ASSET.matcher(name).matches()
            ? respondWithHeaders(WIDGET, () -> file(name)) : reject()))));
  }

  /** A file of {@code web/} by its bare name, or a rejection (404 once sealed) when there is none. */
  private Route file(String name) {
    return asset(FOLDER + name, name);
  }

  /** A classpath resource served under {@code name} (which gives its content type). */
  private Route asset(String resource, String name) {
    Optional<Asset> asset = cache.computeIfAbsent(resource, key -> load(key, name));
    if (asset.isEmpty()) return reject();
    return respondWithHeaders(EVERY_FILE, () -> conditional(asset.get().etag(), () ->
        complete(HttpResponse.create().withEntity(HttpEntities.create(asset.get().type(), asset.get().bytes())))));
  }

  private static Optional<Asset> load(String name) {
    return load(FOLDER + name, name);
  }

  private static Optional<Asset> load(String resource, String name) {
    try (InputStream in = WebPages.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) return Optional.empty();
      byte[] bytes = in.readAllBytes();
      ContentType type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
      return Optional.of(new Asset(bytes, type, EntityTag.create(digest(bytes), false)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The demo store with the demo tenant's widget key in its script tag (looked up on every request:
   * a key revoked or added through the API shows at once). Without a demo tenant, a page that says
   * how to get one.
   */
  private Route demo() {
    return onSuccess(blocking.run(this::demoWidgetKey), key -> {
      String template = new String(load(key.isPresent() ? "demo.html" : "demo-missing.html").orElseThrow().bytes(),
          StandardCharsets.UTF_8);
      String page = template.replace("{{WIDGET_KEY}}", key.map(WebPages::escapeHtml).orElse(""));
      return respondWithHeaders(EVERY_FILE, () -> complete(HttpResponse.create()
          .withStatus(key.isPresent() ? StatusCodes.OK : StatusCodes.NOT_FOUND)
          .withEntity(HttpEntities.create(ContentTypes.TEXT_HTML_UTF8, page))));
    });
  }

  /** The demo tenant's oldest live widget key: the one the node printed at its first start. */
  private Optional<String> demoWidgetKey() {
    return tenants.findBySlug(FirstStart.DEMO_SLUG)
        .filter(tenant -> !tenant.suspended())
        .map(Tenant::id)
        .flatMap(tenantId -> {
          List<WidgetKeys.WidgetKey> live = widgetKeys.list(tenantId).stream()
              .filter(key -> key.revokedAt() == null).toList();
          return live.isEmpty() ? Optional.empty() : Optional.of(live.get(live.size() - 1).publicKey());
        });
  }

  /**
   * How a widget key's widget looks ({@link io.videoshop.tenant.WidgetAppearance}): its fields, absent
   * ones left out; {@code {}} for a key that is not live (the widget then uses its defaults and
   * learns why when it connects). Not cached by browsers, so a change shows on the next page
   * load; the node answers from {@link WidgetKeys}'s cache.
   */
  private Route widgetConfig() {
    return parameterOptional("key", key -> onSuccess(blocking.run(() -> widgetKeys.appearance(key.orElse(null))),
        appearance -> respondWithHeaders(List.of(RawHeader.create("Access-Control-Allow-Origin", "*"),
            RawHeader.create("Cache-Control", "no-cache")), () -> complete(HttpResponse.create().withEntity(
            HttpEntities.create(ContentTypes.APPLICATION_JSON, appearance.map(Json::write).orElse("{}")))))));
  }

  /**
   * Why a widget's socket would be refused: a browser sees only that the upgrade failed, not the
   * 403's body. Answers {@code {"allowed":true}} or {@code {"allowed":false,"code":...}} with the
   * codes of {@link WidgetKeys#check}. The page's origin comes from the {@code Origin} header (sent
   * on cross-origin requests) or, on the node's own pages, the {@code origin} parameter: it only
   * explains, it admits nothing.
   */
  private Route widgetStatus() {
    return parameterOptional("key", key -> parameterOptional("origin", originParameter ->
        optionalHeaderValueByName("Origin", originHeader -> {
          String origin = originHeader.filter(value -> !"null".equals(value)).or(() -> originParameter).orElse(null);
          return onSuccess(blocking.run(() -> widgetKeys.check(key.orElse(null), origin)), admission ->
              respondWithHeaders(List.of(RawHeader.create("Access-Control-Allow-Origin", "*"),
                  RawHeader.create("Cache-Control", "no-store")), () -> complete(HttpResponse.create().withEntity(
                  HttpEntities.create(ContentTypes.APPLICATION_JSON, Json.write(admission.allowed()
                      ? Map.of("allowed", true) : Map.of("allowed", false, "code", admission.reason())))))));
        })));
  }

  static String escapeHtml(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
        .replace("'", "&#39;");
  }

  private static String digest(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
