package io.videoshop.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videoshop.access.FirstStart;
import io.videoshop.access.WidgetKeys;
import io.videoshop.node.SocketClient;
import io.videoshop.node.TestNodes;
import io.videoshop.node.VideoShopNode;
import io.videoshop.persistence.TestDatabase;
import io.videoshop.push.AgentPushes;
import io.videoshop.push.PushOutcome;
import io.videoshop.push.TestPushService;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console as an installable app on a phone-sized Chromium: the manifest is served and valid
 * with icons of the sizes it claims, the service worker registers, controls the console and keeps
 * its shell, the layout fits the screen, and a push shows a notification unless it is an offer
 * while the console is in view.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleAppInBrowserTest {
  private static final Duration STEP = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PUSH_SUBJECT = "mailto:console-test@videoshop.invalid";

  private final List<Path> profiles = new ArrayList<>();
  private TestDatabase database;
  private VideoShopNode node;
  private String base;
  private ChromeDriver phone;
  private SocketClient shopper;
  private TestPushService pushService;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void start() throws IOException {
    database = TestDatabase.postgres();
    // Pushes go to a local push service standing in for the browser's (none is reachable here).
    node = TestNodes.start(database, "videoshop.profile = demo", "videoshop.push { subject = \"" + PUSH_SUBJECT
        + "\", endpoint-hosts = \"127.0.0.1\", allow-plain-http = true }");
    pushService = new TestPushService(node.platform().vapidKeys.publicKeyBase64Url(), PUSH_SUBJECT);
    base = "http://127.0.0.1:" + node.httpPort();
  }

  @AfterAll
  void stop() throws Exception {
    if (phone != null) phone.quit();
    if (shopper != null) shopper.close();
    if (pushService != null) pushService.close();
    if (node != null) node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    if (database != null) database.close();
    for (Path profile : profiles) deleteQuietly(profile);
  }

  private HttpResponse<byte[]> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  @Order(1)
  void theManifestIsServedAndValidWithIconsOfTheSizesItClaims() throws Exception {
    HttpResponse<byte[]> page = get("/console");
    assertThat(new String(page.body())).contains("<link rel=\"manifest\" href=\"/console.webmanifest\">");

    HttpResponse<byte[]> served = get("/console.webmanifest");
    assertThat(served.statusCode()).isEqualTo(200);
    assertThat(served.headers().firstValue("Content-Type")).hasValue("application/manifest+json");
    JsonNode manifest = JSON.readTree(served.body());
    assertThat(manifest.get("name").asText()).isNotBlank();
    assertThat(manifest.get("short_name").asText()).hasSizeLessThanOrEqualTo(12);
    assertThat(manifest.get("display").asText()).isEqualTo("standalone");
    String scope = manifest.get("scope").asText();
    assertThat(manifest.get("start_url").asText()).startsWith(scope);
    assertThat(get(manifest.get("start_url").asText()).statusCode()).isEqualTo(200);

    Set<String> pngSizes = new HashSet<>();
    boolean maskable = false;
    for (JsonNode icon : manifest.get("icons")) {
      HttpResponse<byte[]> image = get(icon.get("src").asText());
      assertThat(image.statusCode()).as(icon.toString()).isEqualTo(200);
      assertThat(image.headers().firstValue("Content-Type")).hasValue(icon.get("type").asText());
      maskable |= icon.path("purpose").asText().contains("maskable");
      if (icon.get("type").asText().equals("image/png")) {
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(image.body()));
        assertThat(decoded.getWidth() + "x" + decoded.getHeight()).as(icon.toString()).isEqualTo(icon.get("sizes").asText());
        pngSizes.add(icon.get("sizes").asText());
      }
    }
    assertThat(pngSizes).contains("192x192", "512x512");
    assertThat(maskable).isTrue();

    HttpResponse<byte[]> worker = get("/console-sw.js");
    assertThat(worker.statusCode()).isEqualTo(200);
    assertThat(worker.headers().firstValue("Content-Type").orElse("")).startsWith("text/javascript");
  }

  @Test
  @Order(2)
  @SuppressWarnings("unchecked")
  void theServiceWorkerRegistersControlsTheConsoleAndKeepsItsShell() throws Exception {
    Chromium.requireInstalled();
    profiles.add(Chromium.newProfile());
    phone = Chromium.start(profiles.get(0), 390, 844);
    // A desktop window is at least 500 px wide: emulate the phone's screen itself.
    phone.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", 390, "height", 844,
        "deviceScaleFactor", 2, "mobile", true));
    phone.get(base + "/console");
    assertThat(js(phone, "return window.innerWidth")).isEqualTo(390L);
    Object scope = ((JavascriptExecutor) phone).executeAsyncScript("""
        const done = arguments[arguments.length - 1];
        window.__videoshopPush.registration.then((r) => navigator.serviceWorker.ready)
          .then((r) => done(r.scope), (e) => done('failed: ' + e));""");
    assertThat(scope).isEqualTo(base + "/console");
    phone.navigate().refresh();
    until("the service worker controls the console", driver ->
        Boolean.TRUE.equals(js(driver, "return navigator.serviceWorker.controller !== null")));
    assertThat(js(phone, "return navigator.serviceWorker.controller.scriptURL")).isEqualTo(base + "/console-sw.js");

    Object cached = ((JavascriptExecutor) phone).executeAsyncScript("""
        const done = arguments[arguments.length - 1];
        (async () => {
          const names = await caches.keys();
          const cache = await caches.open(names.find((n) => n.startsWith('videoshop-console-shell-')));
          const page = await cache.match('/console');
          const files = (await cache.keys()).map((r) => new URL(r.url).pathname).sort();
          return { files, page: page ? await page.text() : '' };
        })().then(done, (e) => done({ error: String(e) }));""");
    Map<String, Object> shell = (Map<String, Object>) cached;
    assertThat((List<Object>) shell.get("files")).contains("/console", "/web/console.js", "/web/client.js",
        "/web/console.css", "/web/console-push.js", "/console.webmanifest");
    assertThat((String) shell.get("page")).contains("Agent console");

    // Chromium's own reading of the manifest, and whether it would offer to install the console.
    Map<String, Object> manifest = phone.executeCdpCommand("Page.getAppManifest", Map.of());
    assertThat((List<Object>) manifest.get("errors")).as("manifest errors").isEmpty();
    assertThat((String) manifest.get("url")).isEqualTo(base + "/console.webmanifest");
    Map<String, Object> installable = phone.executeCdpCommand("Page.getInstallabilityErrors", Map.of());
    assertThat((List<Object>) installable.get("installabilityErrors")).as("installability errors").isEmpty();
  }

  @Test
  @Order(3)
  void theConsoleFitsAPhoneScreenSignedInWithAShopperWaitingAndOffered() throws Exception {
    Chromium.requireInstalled();
    assertThat(fitsTheScreen()).as("sign-in page fits 390 px").isTrue();
    String demo = node.platform().tenants.findBySlug(FirstStart.DEMO_SLUG).orElseThrow().id();
    List<WidgetKeys.WidgetKey> keys = node.platform().widgetKeys.list(demo);
    shopper = SocketClient.widget(node.httpPort(), keys.get(keys.size() - 1).publicKey(), base);
    shopper.next("hello");
    shopper.send(Map.of("type", "join", "name", "Ada Shopper-With-A-Rather-Long-Name",
        "email", "ada@example.com", "productInterest", "trail running shoes in size 38, waterproof, for muddy autumn runs",
        "language", "en"));
    assertThat(shopper.next(m -> m.path("type").asText().matches("queued|refused|error"), "join").get("type").asText())
        .isEqualTo("queued");
    phone.findElement(By.id("email")).sendKeys(FirstStart.DEMO_PEOPLE.get(1));
    phone.findElement(By.id("password")).sendKeys(FirstStart.DEMO_PASSWORD);
    phone.findElement(By.id("sign-in-button")).click();
    until("the desk shows", driver -> driver.findElement(By.id("desk")).isDisplayed());
    until("the notifications card shows", driver -> driver.findElement(By.id("push-card")).isDisplayed()
        && !driver.findElement(By.id("push-text")).getText().isEmpty());
    assertThat(phone.findElement(By.id("push-enabled")).isSelected()).isTrue();
    until("the waiting shopper is listed", driver ->
        driver.findElement(By.id("queue-rows")).getText().contains("Ada Shopper"));
    assertThat(fitsTheScreen()).as("the desk with a waiting shopper fits 390 px").isTrue();

    phone.findElement(By.id("presence-available")).click();
    until("the offer shows", driver -> driver.findElement(By.id("offer")).isDisplayed());
    assertThat(fitsTheScreen()).as("the offer fits 390 px").isTrue();
    assertThat(phone.findElement(By.id("accept")).getRect().getWidth()).as("a thumb-sized accept button")
        .isGreaterThan(150);
    screenshot("phone-offer");

    // Turning push off in the console is the user's opt-out on the server.
    phone.findElement(By.id("push-enabled")).click();
    until("the opt-out is saved", driver -> Boolean.FALSE.equals(optedIn()));
    phone.findElement(By.id("push-enabled")).click();
    until("push is on again", driver -> Boolean.TRUE.equals(optedIn()));
  }

  @Test
  @Order(4)
  void aPushShowsANotificationUnlessItIsAnOfferWhileTheConsoleIsInView() {
    Chromium.requireInstalled();
    phone.executeCdpCommand("ServiceWorker.enable", Map.of());
    phone.executeCdpCommand("Browser.grantPermissions", Map.of("origin", base, "permissions", List.of("notifications")));
    assertThat(js(phone, "return document.visibilityState")).isEqualTo("visible");

    String offer = "{\"kind\":\"offer\",\"title\":\"A shopper for you\",\"body\":\"b\",\"url\":\"/console\",\"tag\":\"offer\"}";
    String reminder = "{\"kind\":\"appointment-reminder\",\"title\":\"An appointment soon\",\"body\":\"b\","
        + "\"url\":\"/console\",\"tag\":\"reminder-x\"}";
    // The worker handles pushes in order: once the reminder sent after an offer shows, the offer
    // has been handled too (pushes are sent again until then: a worker just woken may miss one).
    until("the reminder is shown", driver -> {
      deliverPush(offer);
      deliverPush(reminder);
      return notifications().contains("An appointment soon");
    });
    assertThat(notifications()).as("an offer while the console is in view is not repeated").doesNotContain("A shopper for you");

    // No console in view (the tab moved on to the store): the offer is shown.
    phone.get(base + "/demo");
    until("the offer is shown", driver -> {
      deliverPush(offer);
      return notifications().contains("A shopper for you");
    });

    // "Notify me on this device": permission granted, the browser asked to subscribe. Here it
    // reaches no push service, so the console must say so and post nothing (where one is reached,
    // the browser is subscribed and listed once).
    phone.get(base + "/console");
    until("the notifications card", driver -> driver.findElement(By.id("push-card")).isDisplayed());
    phone.findElement(By.id("push-device")).click();
    new WebDriverWait(phone, Duration.ofSeconds(45)).withMessage("the console answers the subscribe")
        .until(driver -> driver.findElement(By.id("push-error")).isDisplayed()
            || "true".equals(driver.findElement(By.id("push-device")).getAttribute("data-subscribed")));
    Object listed = ((JavascriptExecutor) phone).executeAsyncScript("""
        const done = arguments[arguments.length - 1];
        const session = JSON.parse(sessionStorage.getItem('videoshop-console:session'));
        fetch('/api/v1/me/push-subscriptions', { headers: { Authorization: 'Bearer ' + session.accessToken } })
          .then((r) => r.json()).then((list) => done(list.length), (e) => done(String(e)));""");
    screenshot("phone-subscribe");
    if (phone.findElement(By.id("push-error")).isDisplayed()) {
      assertThat(phone.findElement(By.id("push-error")).getText()).startsWith("Notifications could not be turned on");
      assertThat(listed).isEqualTo(0L);
    } else {
      assertThat(listed).isEqualTo(1L);
    }
  }

  /**
   * "Notify me on this device" end to end but for the browser's own push service, which Chromium
   * cannot reach here: {@code PushManager.subscribe} is replaced in the page by one that records
   * what the console asks for and hands back a subscription to a local push service. The rest is
   * real: the console asks with the platform's VAPID key, posts the subscription, the server
   * pushes to it (VAPID-signed, encrypted for that browser), and turning it off removes it.
   */
  @Test
  @Order(5)
  void notifyMeOnThisDeviceSubscribesWithThePlatformsKeyAndTheServerPushesToThatBrowser() throws Exception {
    Chromium.requireInstalled();
    Map<String, Object> browser = pushService.subscribe("console-phone");
    phone.get(base + "/console");
    until("the notifications card", driver -> driver.findElement(By.id("push-card")).isDisplayed()
        && "false".equals(driver.findElement(By.id("push-device")).getAttribute("data-subscribed")));
    ((JavascriptExecutor) phone).executeScript("""
        const browser = arguments[0];
        let current = null;
        PushManager.prototype.subscribe = async function (options) {
          window.__asked = { key: options.applicationServerKey, userVisibleOnly: options.userVisibleOnly };
          current = {
            endpoint: browser.endpoint,
            toJSON: () => ({ endpoint: browser.endpoint, expirationTime: null, keys: browser.keys }),
            unsubscribe: async () => { current = null; return true; },
          };
          return current;
        };
        PushManager.prototype.getSubscription = async function () { return current; };""", browser);
    phone.findElement(By.id("push-device")).click();
    until("the console says this device is subscribed", driver ->
        "true".equals(driver.findElement(By.id("push-device")).getAttribute("data-subscribed")));
    assertThat(js(phone, "return window.__asked.key")).isEqualTo(node.platform().vapidKeys.publicKeyBase64Url());
    assertThat(js(phone, "return window.__asked.userVisibleOnly")).isEqualTo(true);
    String token = (String) js(phone,
        "return JSON.parse(sessionStorage.getItem('videoshop-console:session')).accessToken");
    JsonNode listed = subscriptions(token);
    assertThat(listed).hasSize(1);
    assertThat(listed.get(0).get("pushService").asText()).isEqualTo("127.0.0.1");

    PushOutcome outcome = node.platform().pushChannel.send(listed.get(0).get("id").asText(),
        AgentPushes.offer(Instant.now().plusSeconds(30), Instant.now()));
    assertThat(outcome).isInstanceOf(PushOutcome.Delivered.class);
    assertThat(pushService.receivedAt("console-phone")).hasSize(1);
    TestPushService.Received push = pushService.receivedAt("console-phone").get(0);
    assertThat(push.problems()).isEmpty();
    assertThat(JSON.readTree(push.payload()).get("kind").asText()).isEqualTo("offer");

    phone.findElement(By.id("push-device")).click();
    until("the console says this device is no longer subscribed", driver ->
        "false".equals(driver.findElement(By.id("push-device")).getAttribute("data-subscribed")));
    assertThat(subscriptions(token)).isEmpty();
  }

  private JsonNode subscriptions(String token) throws Exception {
    HttpResponse<String> reply = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/me/push-subscriptions"))
        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
    return JSON.readTree(reply.body());
  }

  @Test
  @Order(6)
  void theAgentSetsTheirOwnHoursByKeyboardAndSeesTheirAppointmentInTheirZone() throws Exception {
    Chromium.requireInstalled();
    until("the hours card shows", driver -> driver.findElement(By.id("hours-card")).isDisplayed());
    // By keyboard: take bookings, in New York time, with a day off.
    WebElement takes = phone.findElement(By.id("hours-takes-bookings"));
    if (!takes.isSelected()) takes.sendKeys(Keys.SPACE);
    assertThat(takes.isSelected()).isTrue();
    phone.findElement(By.id("hours-zone")).clear();
    phone.findElement(By.id("hours-zone")).sendKeys("America/New_York");
    phone.findElement(By.id("hours-days-off")).clear();
    phone.findElement(By.id("hours-days-off")).sendKeys("2031-12-24");
    phone.findElement(By.id("hours-mode-own")).sendKeys(Keys.SPACE);
    until("the week's rows show", driver -> driver.findElement(By.id("hours-days")).isDisplayed());
    phone.findElement(By.id("hours-mode-shop")).sendKeys(Keys.SPACE);
    phone.findElement(By.id("hours-days-off")).sendKeys(Keys.ENTER); // submits the form
    String agentId = (String) js(phone,
        "return JSON.parse(sessionStorage.getItem('videoshop-console:session')).user.id");
    String demo = node.platform().tenants.findBySlug(FirstStart.DEMO_SLUG).orElseThrow().id();
    String hoursPath = "/api/v1/tenants/" + demo + "/agents/" + agentId + "/working-hours";
    until("the hours are saved", driver -> {
      JsonNode hours = apiAsConsole(hoursPath).path("hours");
      return hours.path("takesBookings").asBoolean() && "America/New_York".equals(hours.path("timeZone").asText())
          && hours.path("daysOff").toString().contains("2031-12-24") && !hours.path("hours").isObject();
    });
    // A bad zone is named, nothing saved.
    phone.findElement(By.id("hours-zone")).sendKeys("x");
    phone.findElement(By.id("hours-save")).click();
    until("the zone is refused", driver -> driver.findElement(By.id("hours-error")).isDisplayed()
        && driver.findElement(By.id("hours-error")).getText().contains("time zone"));
    assertThat(apiAsConsole(hoursPath).path("hours").path("timeZone").asText()).isEqualTo("America/New_York");

    // A shopper books the agent (the only one taking bookings) through the store's widget key.
    List<WidgetKeys.WidgetKey> keys = node.platform().widgetKeys.list(demo);
    String key = keys.get(keys.size() - 1).publicKey();
    HttpResponse<String> slots = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/widget/slots?days=14"))
        .header("X-Widget-Key", key).header("Origin", base).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(slots.statusCode()).as(slots.body()).isEqualTo(200);
    String start = JSON.readTree(slots.body()).get("slots").get(0).get("start").asText();
    HttpResponse<String> booked = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/widget/bookings"))
        .header("X-Widget-Key", key).header("Origin", base).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("start", start,
            "name", "Bo <b>Booked</b>", "email", "bo@example.com", "productInterest", "a tent for two",
            "timeZone", "Asia/Tokyo", "consent", true)))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(booked.statusCode()).as(booked.body()).isEqualTo(201);
    String bookingId = JSON.readTree(booked.body()).get("bookingId").asText();

    until("the appointment is listed", driver -> {
      if (driver.findElements(By.cssSelector("[data-booking='" + bookingId + "']")).isEmpty()) {
        driver.navigate().refresh(); // the console looks again each minute; a reload looks now
        return false;
      }
      return true;
    });
    WebElement row = phone.findElement(By.cssSelector("[data-booking='" + bookingId + "']"));
    assertThat(row.getText()).contains("Bo <b>Booked</b>").as("the name as text, never markup")
        .contains("a tent for two").contains("Asia/Tokyo");
    assertThat(phone.findElement(By.id("appointments-zone")).getText()).isEqualTo("Times in America/New_York");
    // The start as the browser writes it in New York time (the agent's zone), not the device's or Tokyo's.
    Object newYork = ((JavascriptExecutor) phone).executeScript("return new Intl.DateTimeFormat(undefined, "
        + "{hour: '2-digit', minute: '2-digit', timeZone: 'America/New_York'}).format(new Date(arguments[0]))", start);
    assertThat(row.findElement(By.className("time")).getText()).startsWith(String.valueOf(newYork));
    assertThat(fitsTheScreen()).as("the appointments and hours fit 390 px").isTrue();
    ((JavascriptExecutor) phone).executeScript("arguments[0].scrollIntoView({block: 'center'})", row);
    screenshot("phone-appointments");

    // Earlier today a booked shopper came and left without a call: the calendar recorded it missed
    // (BookingAtTheTimeTest runs that); here its row as the read model holds it, and the console says so.
    var vault = io.videoshop.persistence.SharedDatabase.get(node.system()).personalDataVault();
    String subject = "shopper-missed-" + java.util.UUID.randomUUID();
    var sealed = vault.encryptNew(subject, List.of("Mia Missed", "mia@example.com"));
    java.time.Instant missedStart = java.time.Instant.now().minus(Duration.ofMinutes(6));
    String missedId = "missed-" + java.util.UUID.randomUUID();
    node.platform().jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO bookings (booking_id, tenant_id, agent_id,"
            + " agent_chosen, starts_at, ends_at, status, sequence_nr, subject_id, name_ciphertext, email_ciphertext,"
            + " created_at, updated_at) VALUES (:id, :tenant, :agent, FALSE, :start, :end, 'missed', 0, :subject, :name,"
            + " :email, :start, :end)")
        .bind("id", missedId).bind("tenant", demo).bind("agent", agentId).bind("start", missedStart)
        .bind("end", missedStart.plus(Duration.ofMinutes(5))).bind("subject", subject)
        .bind("name", sealed.get(0).ciphertext()).bind("email", sealed.get(1).ciphertext()).execute());
    until("today's missed appointment is listed with its outcome", driver -> {
      if (driver.findElements(By.cssSelector("[data-booking='" + missedId + "'] .outcome")).isEmpty()) {
        driver.navigate().refresh();
        return false;
      }
      return true;
    });
    assertThat(phone.findElement(By.cssSelector("[data-booking='" + missedId + "']")).getText()).contains("Mia Missed")
        .contains("Missed: the shopper came but got no call");
    assertThat(phone.findElement(By.cssSelector("[data-booking='" + bookingId + "']")).findElements(By.className("outcome")))
        .as("a booked one has none").isEmpty();
  }

  private JsonNode apiAsConsole(String path) {
    Object body = ((JavascriptExecutor) phone).executeAsyncScript("""
        const done = arguments[arguments.length - 1];
        const session = JSON.parse(sessionStorage.getItem('videoshop-console:session'));
        fetch(arguments[0], { headers: { Authorization: 'Bearer ' + session.accessToken } })
          .then((r) => r.text()).then(done, (e) => done(String(e)));""", path);
    try {
      return JSON.readTree(String.valueOf(body));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  @Order(7)
  void whenTheNodeCannotBeReachedTheInstalledConsoleStillOpensFromItsShell() throws Exception {
    Chromium.requireInstalled();
    node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    node = null;
    phone.get(base + "/console");
    until("the console's page opens from the cache", driver -> driver.getTitle().contains("Agent console")
        && driver.findElement(By.id("sign-in-form")) != null);
    assertThat(js(phone, "return navigator.serviceWorker.controller !== null")).isEqualTo(true);
    screenshot("phone-offline");
  }

  private void screenshot(String name) {
    try {
      Path folder = Path.of(System.getenv().getOrDefault("VIDEOSHOP_TEST_REPORTS", "target/test-output"), "browser");
      java.nio.file.Files.createDirectories(folder);
      java.nio.file.Files.write(folder.resolve(name + ".png"),
          phone.getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
    } catch (IOException e) {
      // evidence only
    }
  }

  /**
   * Delivers a push through DevTools to the console's registration: the only one of a fresh
   * profile, whose id is 0.
   */
  private void deliverPush(String data) {
    phone.executeCdpCommand("ServiceWorker.deliverPushMessage", Map.of("origin", base, "registrationId", "0",
        "data", data));
  }

  @SuppressWarnings("unchecked")
  private List<String> notifications() {
    Object titles = ((JavascriptExecutor) phone).executeAsyncScript("""
        const done = arguments[arguments.length - 1];
        navigator.serviceWorker.getRegistration('/console').then((r) => r.getNotifications())
          .then((list) => done(list.map((n) => n.title)), (e) => done(['error: ' + e]));""");
    return (List<String>) titles;
  }

  private Object optedIn() {
    return ((JavascriptExecutor) phone).executeAsyncScript("""
        const done = arguments[arguments.length - 1];
        const session = JSON.parse(sessionStorage.getItem('videoshop-console:session'));
        fetch('/api/v1/me/push-preferences', { headers: { Authorization: 'Bearer ' + session.accessToken } })
          .then((r) => r.json()).then((p) => done(p.pushEnabled), (e) => done(String(e)));""");
  }

  private boolean fitsTheScreen() {
    return Boolean.TRUE.equals(js(phone,
        "return document.documentElement.scrollWidth <= window.innerWidth + 1"));
  }

  private static void deleteQuietly(Path directory) {
    try (var paths = java.nio.file.Files.walk(directory)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // a temporary folder: the OS cleans up what is left
    }
  }

  private static Object js(WebDriver driver, String script) {
    return ((JavascriptExecutor) driver).executeScript(script);
  }

  private void until(String what, Function<WebDriver, Boolean> condition) {
    new WebDriverWait(phone, STEP).withMessage(what).until(condition::apply);
  }
}
