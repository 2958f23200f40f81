package io.videoshop.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.videoshop.access.FirstStart;
import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.node.ApiClient;
import io.videoshop.node.MailFolder;
import io.videoshop.node.SocketClient;
import io.videoshop.node.TestCalls;
import io.videoshop.node.TestNodes;
import io.videoshop.node.VideoShopNode;
import io.videoshop.persistence.TestDatabase;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The admin app in real Chromium against one node (demo profile, PostgreSQL): the demo owner
 * signs in, sees the dashboard's charts and downloads its CSV, closes the business hours and the
 * widget on /demo says so (and opens again), a bad entry is explained next to its field without
 * losing what was typed, an invited agent accepts through the mailed link, a widget key's snippet
 * works on a page of another origin, and the operator suspends the tenant and that widget says
 * so. One browser class for all of it (each browser start costs seconds); a screenshot of every
 * screen lands in the test output folder.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminInBrowserTest {
  private static final Duration STEP = Duration.ofSeconds(30);
  private static final String OWNER = FirstStart.DEMO_PEOPLE.get(0);

  private final List<Path> profiles = new ArrayList<>();
  private TestDatabase database;
  private VideoShopNode node;
  private MailFolder mail;
  private String base;
  private ChromeDriver admin;
  private ChromeDriver shopper;
  private HttpServer otherShop;
  private Path output;
  private Path downloads;
  /** The call of the first test: the privacy screen exports its shopper. */
  private String roomId;
  private String otherShopPage = "<!doctype html><title>Other shop</title><p>No widget yet</p>";
  /** The agent invited in the team test: its role change is what the audit log's filters find. */
  private String invitedUserId;

  @BeforeAll
  void start() throws IOException {
    Chromium.requireInstalled();
    database = TestDatabase.postgres();
    mail = MailFolder.temporary();
    node = TestNodes.start(database, "videoshop.profile = demo", mail.hocon());
    base = "http://127.0.0.1:" + node.httpPort();
    // A store on another origin (another port) that will carry a widget key's snippet.
    otherShop = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    otherShop.createContext("/", exchange -> {
      byte[] page = otherShopPage.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
      exchange.sendResponseHeaders(200, page.length);
      exchange.getResponseBody().write(page);
      exchange.close();
    });
    otherShop.start();
    output = Path.of(System.getenv().getOrDefault("VIDEOSHOP_TEST_REPORTS", "target/test-output"), "admin");
    Files.createDirectories(output);
    downloads = Files.createTempDirectory("videoshop-downloads-");
    profiles.add(Chromium.newProfile());
    profiles.add(Chromium.newProfile());
    admin = Chromium.start(profiles.get(0), 1280, 900, downloads);
    shopper = Chromium.start(profiles.get(1), 1100, 800);
  }

  @AfterAll
  void stop() throws Exception {
    for (WebDriver driver : new WebDriver[] {admin, shopper}) {
      if (driver != null) driver.quit();
    }
    if (otherShop != null) otherShop.stop(0);
    if (node != null) node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    if (database != null) database.close();
    for (Path profile : profiles) deleteQuietly(profile);
    if (downloads != null) deleteQuietly(downloads);
  }

  @Test
  @Order(1)
  void theOwnerSignsInSeesChartsAndDownloadsTheCsv() throws Exception {
    evidenceOnFailure("dashboard", () -> {
      roomId = aCallWithAProductAFeedbackAndAWrapUp();
      admin.get(base + "/admin");
      signIn(OWNER);
      screen("dashboard");
      until(admin, "six charts drawn by uPlot", driver -> driver.findElements(By.cssSelector("#charts .chart canvas")).size() == 6);
      assertThat(admin.findElement(By.id("nav")).getText()).contains("Team", "Settings", "Widget", "API keys", "Billing", "Audit log")
          .doesNotContain("Tenants");
      until(admin, "the live figures", driver -> driver.findElement(By.id("live-figures")).getText().contains("waiting now"));
      screenshot(admin, "dashboard");

      admin.findElement(By.id("report-csv")).click();
      Path csv = awaitDownload("summary-", ".csv");
      assertThat(Files.readString(csv)).startsWith("from,").contains("queue.queued");

      // The call's record with its timeline (the calls read side trails the room by about a second).
      open("calls");
      until(admin, "the call is listed", driver -> {
        if (!driver.findElements(By.cssSelector("a[href='#calls/" + roomId + "']")).isEmpty()) return true;
        driver.findElement(By.id("calls-apply")).click();
        return false;
      });
      admin.findElement(By.cssSelector("a[href='#calls/" + roomId + "']")).click();
      until(admin, "the call's timeline", driver -> "calls".equals(js(driver, "return window.__admin.screen"))
          && !driver.findElements(By.id("timeline")).isEmpty());
      String record = admin.findElement(By.id("screen-calls")).getText();
      assertThat(record).contains("Trail runner (TRAIL-38)", "added to cart", "5 ★", "sale", "Bought the trail runner");
      assertThat(admin.findElement(By.id("timeline")).getText()).contains("room opened", "participant joined", "call started", "product shown",
          "added to cart", "call ended", "wrapped up", "feedback given");
      screenshot(admin, "call");

      // Readable on a phone: nothing wider than the screen.
      admin.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
      open("dashboard");
      until(admin, "the dashboard fits a phone's width", driver -> Boolean.TRUE.equals(js(driver,
          "return document.documentElement.scrollWidth <= document.documentElement.clientWidth")));
      screenshot(admin, "dashboard-phone");
      admin.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 900));
    });
  }

  @Test
  @Order(2)
  void closedBusinessHoursCloseTheDemoWidgetAndABadEntryIsExplainedInPlace() throws Exception {
    evidenceOnFailure("settings", () -> {
      open("settings");
      // A wrong entry: explained under its field, nothing sent, what was typed is kept.
      WebElement monday = admin.findElement(By.id("hours-monday"));
      monday.clear();
      monday.sendKeys("nine to five");
      admin.findElement(By.id("save-settings")).click();
      until(admin, "the error under Monday", driver -> fieldError(driver, "hours-monday").contains("09:00-17:00"));
      assertThat(admin.findElement(By.id("hours-monday")).getAttribute("value")).isEqualTo("nine to five");
      // The API's refusal of a time zone shows under the time zone.
      monday.clear();
      monday.sendKeys("00:00-00:00");
      WebElement zone = admin.findElement(By.id("time-zone"));
      zone.clear();
      zone.sendKeys("Mars/Olympus");
      admin.findElement(By.id("save-settings")).click();
      until(admin, "the API's error under the time zone", driver -> !fieldError(driver, "time-zone").isEmpty());
      assertThat(admin.findElement(By.id("time-zone")).getAttribute("value")).isEqualTo("Mars/Olympus");
      zone.clear();
      zone.sendKeys("UTC");

      // Closed every day: the widget on /demo says so.
      setEveryDay("");
      admin.findElement(By.id("save-settings")).click();
      until(admin, "saved", driver -> driver.findElement(By.id("settings-saved")).isDisplayed());
      screenshot(admin, "settings");
      // The queue learns its tenant's hours within 5 s (QueueFeed.TENANT_REFRESH): until then a
      // shopper still gets a place, leaves it again and retries.
      joinOnDemo();
      until(shopper, "the widget says the experts are not available", driver -> {
        SearchContext widget = widget(driver);
        if ("waiting".equals(js(driver, "return window.__videoshop.view"))) {
          widget.findElement(By.cssSelector("#leave")).click();
          new WebDriverWait(driver, STEP).until(d -> !"waiting".equals(js(d, "return window.__videoshop.view")));
          joinOnDemo();
          return false;
        }
        return widget.findElement(By.cssSelector("#notice-text")).getText().contains("not available right now");
      });

      // Open again around the clock: the shopper gets a place. With it, a dated exception (two are
      // added, the first removed: a mistake in the one left shows under it), the queue policy and
      // one more allowed origin; the API then has them.
      setEveryDay("00:00-00:00");
      int exceptions = admin.findElements(By.cssSelector("#exceptions .exception")).size();
      admin.findElement(By.id("add-exception")).click();
      admin.findElement(By.id("add-exception")).click();
      List<WebElement> added = admin.findElements(By.cssSelector("#exceptions .exception"));
      String holiday = java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusDays(40).toString();
      js(admin, "arguments[0].value = arguments[1]", added.get(exceptions + 1).findElement(By.cssSelector(".exception-date")), holiday);
      WebElement holidayHours = added.get(exceptions + 1).findElement(By.cssSelector(".exception-windows"));
      holidayHours.sendKeys("ten till two");
      added.get(exceptions).findElement(By.cssSelector(".remove-exception")).click();
      admin.findElement(By.id("save-settings")).click();
      until(admin, "the error under the exception left", driver -> {
        WebElement row = driver.findElements(By.cssSelector("#exceptions .exception")).get(exceptions);
        return (Boolean) js(driver, "const e = arguments[0].querySelector('.exception-windows').closest('.field').querySelector('.field-error');"
            + "return !e.hidden && e.textContent.includes('09:00-17:00')", row);
      });
      holidayHours.clear();
      holidayHours.sendKeys("10:00-14:00");
      WebElement maxLength = admin.findElement(By.id("queue-max-length"));
      maxLength.clear();
      maxLength.sendKeys("40");
      WebElement origins = admin.findElement(By.id("allowed-origins"));
      String originsBefore = origins.getAttribute("value");
      origins.clear();
      origins.sendKeys(originsBefore + "\nhttps://shop.example.com");
      admin.findElement(By.id("save-settings")).click();
      until(admin, "saved again", driver -> driver.findElement(By.id("settings-saved")).isDisplayed());
      JsonNode saved = asSignedIn("GET", tenantApi()).json().get("settings");
      assertThat(saved.at("/businessHours/exceptions")).hasSize(exceptions + 1);
      assertThat(saved.at("/businessHours/exceptions/" + exceptions).toString())
          .isEqualTo("{\"date\":\"" + holiday + "\",\"windows\":[{\"from\":\"10:00\",\"to\":\"14:00\"}]}");
      assertThat(saved.at("/queue/maxLength").asInt()).isEqualTo(40);
      assertThat(saved.get("allowedOrigins").toString()).contains("\"https://shop.example.com\"", "\"" + base + "\"");
      joinOnDemo();
      until(shopper, "the shopper waits in the queue", driver -> {
        if ("waiting".equals(js(driver, "return window.__videoshop.view"))) return true;
        if (widget(driver).findElement(By.cssSelector("#notice-text")).getText().contains("not available right now")) joinOnDemo();
        return false;
      });

      // The dashboard's live figures see the shopper (the read side trails the queue by about a second).
      open("dashboard");
      until(admin, "one shopper waiting now", driver -> {
        driver.navigate().refresh();
        new WebDriverWait(driver, STEP).until(d -> "dashboard".equals(js(d, "return window.__admin.screen")));
        return driver.findElement(By.cssSelector("#live-figures .figure strong")).getText().equals("1");
      });
    });
  }

  @Test
  @Order(3)
  void anInvitedAgentAcceptsThroughTheMailedLink() throws Exception {
    evidenceOnFailure("team", () -> {
      open("team");
      // The agent of the socket call has a presence the queue reported.
      until(admin, "the agent's presence", driver -> driver.findElement(By.cssSelector("tr[data-email='"
          + FirstStart.DEMO_PEOPLE.get(1) + "']")).getText().contains(" since "));
      String email = "new.agent." + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
      // A bad address first: the API's message sits under the field and the address stays.
      admin.findElement(By.id("invite-email")).sendKeys("not-an-address");
      admin.findElement(By.id("invite-send")).click();
      until(admin, "the error under the email", driver -> !fieldError(driver, "invite-email").isEmpty());
      assertThat(admin.findElement(By.id("invite-email")).getAttribute("value")).isEqualTo("not-an-address");
      admin.findElement(By.id("invite-email")).clear();
      admin.findElement(By.id("invite-email")).sendKeys(email);
      admin.findElement(By.id("invite-send")).click();
      until(admin, "the invitation is listed", driver -> "team".equals(js(driver, "return window.__admin.screen"))
          && driver.findElement(By.id("invitations-table")).getText().contains(email));
      screenshot(admin, "team");

      String link = mailedLink(email);
      shopper.get(link);
      shopper.findElement(By.id("displayName")).sendKeys("Nia New");
      shopper.findElement(By.id("password")).sendKeys("a long new password");
      shopper.findElement(By.cssSelector("#form button")).click();
      until(shopper, "the account exists", driver -> driver.findElement(By.id("result")).getText().contains("Your account exists"));

      open("team");
      until(admin, "the new agent is a user", driver -> driver.findElement(By.id("users-table")).getText().contains(email));
      invitedUserId = userByEmail(email).get("id").asText();
      String userPath = tenantApi() + "/users/" + invitedUserId;

      // A role change: the API then says admin.
      new org.openqa.selenium.support.ui.Select(userRow(email).findElement(By.tagName("select"))).selectByValue("admin");
      clickAndAwaitScreen(userRow(email).findElement(By.cssSelector(".change-role")), "team");
      assertThat(asSignedIn("GET", userPath).json().get("role").asText()).isEqualTo("admin");

      // Resend: a new invitation replaces the pending one, in the first one's mail language.
      String pending = "pending." + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
      String firstInvitation = asSignedIn("POST", tenantApi() + "/invitations", Map.of("email", pending, "role", "agent", "language", "de"))
          .json().get("id").asText();
      open("team");
      clickAndAwaitScreen(admin.findElement(By.cssSelector("#invitations-table tr[data-email='" + pending + "'] .resend")), "team");
      JsonNode resent = pendingInvitation(pending);
      assertThat(resent.get("id").asText()).as("a new invitation replaces the first").isNotEqualTo(firstInvitation);
      assertThat(resent.path("language").asText()).as("the resend speaks the first mail's language").isEqualTo("de");

      // The user's data rights: their export (a zip on disk, audited)...
      WebElement rights = dataRights(email);
      rights.findElement(By.cssSelector(".export-user")).click();
      Map<String, String> export = unzip(awaitDownload("user-export-" + invitedUserId, ".zip"));
      assertThat(export).containsKeys("manifest.json", "account.json", "sign-ins.json");
      assertThat(export.get("account.json")).contains(email, "Nia New");
      assertThat(asSignedIn("GET", tenantApi() + "/audit?action=user.exported&targetId=" + invitedUserId).json().get("items")).hasSize(1);
      // ...a correction the API refuses (the address is taken) is explained beside the form, which keeps what was typed...
      WebElement name = rights.findElement(By.cssSelector(".correct-name"));
      WebElement address = rights.findElement(By.cssSelector(".correct-email"));
      name.clear();
      name.sendKeys("Nia Corrected");
      address.clear();
      address.sendKeys(OWNER);
      rights.findElement(By.cssSelector(".correct-save")).click();
      until(admin, "the refusal beside the form", driver -> rights.findElement(By.cssSelector("form > .error")).isDisplayed());
      assertThat(rights.findElement(By.cssSelector("form > .error")).getText()).containsIgnoringCase("email");
      assertThat(name.getAttribute("value")).isEqualTo("Nia Corrected");
      assertThat(address.getAttribute("value")).isEqualTo(OWNER);
      assertThat(asSignedIn("GET", userPath).json().get("email").asText()).isEqualTo(email);
      screenshot(admin, "team-data-rights");
      // ...and one it takes (Enter in the form sends it): the API then has the new name and sign-in.
      String corrected = "nia.corrected." + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
      address.clear();
      address.sendKeys(corrected);
      clickAndAwaitScreen(address, "team", org.openqa.selenium.Keys.ENTER);
      JsonNode correctedUser = asSignedIn("GET", userPath).json();
      assertThat(correctedUser.get("email").asText()).isEqualTo(corrected);
      assertThat(correctedUser.get("displayName").asText()).isEqualTo("Nia Corrected");
      assertThat(userRow(corrected).getText()).contains("Nia Corrected");

      // Deactivate, then erase (after a confirmation): the API then says so.
      js(admin, "window.__confirmed = []; window.confirm = (text) => { window.__confirmed.push(text); return true; }");
      clickAndAwaitScreen(userRow(corrected).findElement(By.cssSelector(".deactivate")), "team");
      assertThat(asSignedIn("GET", userPath).json().get("status").asText()).isEqualTo("deactivated");
      assertThat(userRow(corrected).getText()).contains("deactivated");
      clickAndAwaitScreen(dataRights(corrected).findElement(By.cssSelector(".erase-user")), "team");
      until(admin, "the user is erased", driver -> "erased".equals(asSignedIn("GET", userPath).json().get("status").asText()));
      assertThat(String.valueOf(js(admin, "return window.__confirmed.join()"))).contains(corrected, "cannot be undone");
      assertThat(asSignedIn("GET", userPath).json().get("email").asText()).startsWith("erased-");
    });
  }

  @Test
  @Order(4)
  void aWidgetKeysSnippetWorksOnAnotherOriginAndTheOtherScreensShow() throws Exception {
    evidenceOnFailure("widget", () -> {
      String origin = "http://127.0.0.1:" + otherShop.getAddress().getPort();
      open("widget");
      admin.findElement(By.id("widget-key-name")).sendKeys("Other shop");
      admin.findElement(By.id("widget-key-origins")).sendKeys(origin);
      admin.findElement(By.id("widget-key-submit")).click();
      until(admin, "the new key is listed", driver -> "widget".equals(js(driver, "return window.__admin.screen"))
          && driver.findElement(By.id("widget-keys-table")).getText().contains("Other shop"));
      String publicKey = admin.findElement(By.xpath("//tr[td[1][normalize-space()='Other shop']]")).getAttribute("data-key");
      new org.openqa.selenium.support.ui.Select(admin.findElement(By.id("snippet-key"))).selectByValue(publicKey);
      js(admin, "document.getElementById('snippet-key').dispatchEvent(new Event('input'))");
      String snippet = admin.findElement(By.id("snippet")).getText();
      assertThat(snippet).contains(base + "/widget.js", "data-key=\"" + publicKey + "\"");

      // The widget's texts: the browser's first language it has (fr-CA is French), else the
      // store's default from data-language, else English.
      String plainTag = "<script src=\"" + base + "/widget.js\" data-key=\"" + publicKey + "\" data-language=\"de\" async></script>";
      for (String[] languages : new String[][] {{"['fr-CA', 'de']", "Appel vidéo avec un expert"},
          {"['pt-BR']", "Videoberatung mit einem Experten"}, {"['en-US', 'fr']", "Video call with an expert"}}) {
        showOnOtherShop(origin, languages[0], plainTag);
        // The launcher's words (textContent: while the shopper waits, the launcher shows the place instead).
        assertThat(inWidget(shopper, "return root.querySelector('.launcher-text').textContent")).as(languages[0]).isEqualTo(languages[1]);
        assertThat(inWidget(shopper, "return root.querySelector('#join').textContent"))
            .isEqualTo(Map.of("Appel vidéo avec un expert", "Rejoindre la file", "Videoberatung mit einem Experten", "In die Warteschlange",
                "Video call with an expert", "Join the queue").get(languages[1]));
      }
      theLanguageChoiceAndTheTextsAreComplete();

      // The look, stored for the tenant: edited with the real widget as preview, then saved.
      js(admin, "const c = document.getElementById('appearance-colour'); c.value = '#0f766e'; c.dispatchEvent(new Event('input'))");
      admin.findElement(By.id("appearance-title")).sendKeys("Talk to us");
      admin.findElement(By.id("appearance-greeting")).sendKeys("Hi! Our fitters find your size.");
      new org.openqa.selenium.support.ui.Select(admin.findElement(By.id("appearance-language"))).selectByValue("fr");
      new org.openqa.selenium.support.ui.Select(admin.findElement(By.id("preview-browser"))).selectByValue("pt");
      js(admin, "document.getElementById('preview-browser').dispatchEvent(new Event('change'))");
      until(admin, "the preview shows the edited look", driver -> {
        driver.switchTo().frame(driver.findElement(By.id("widget-preview")));
        try {
          return !driver.findElements(By.id("videoshop-widget")).isEmpty()
              && "Talk to us".equals(inWidget(driver, "return root.querySelector('.launcher-text').textContent"))
              && "Hi! Our fitters find your size.".equals(inWidget(driver, "return root.querySelector('#greeting').textContent"))
              && "Rejoindre la file".equals(inWidget(driver, "return root.querySelector('#join').textContent"))
              && "rgb(15, 118, 110)".equals(inWidget(driver, "return getComputedStyle(root.querySelector('.launcher')).backgroundColor"));
        } finally {
          driver.switchTo().defaultContent();
        }
      });
      // And the tenant's choice that the widget stores nothing before the store's banner agrees.
      admin.findElement(By.id("appearance-consent-first")).click();
      admin.findElement(By.id("appearance-save")).click();
      until(admin, "the appearance is saved", driver -> driver.findElement(By.id("appearance-saved")).isDisplayed());
      screenshot(admin, "widget");

      // Every page of the tenant's stores takes it: the other origin, and the demo store.
      otherShopPage = "<!doctype html><title>Other shop</title><h1>Other shop</h1>" + snippet;
      shopper.get(origin + "/?" + UUID.randomUUID());
      SearchContext widget = widget(shopper);
      assertThat(widget.findElement(By.cssSelector("#launcher")).getText()).contains("Talk to us");
      widget.findElement(By.cssSelector("#launcher")).click();
      widget.findElement(By.cssSelector("#join-name")).sendKeys("Olga Other");
      widget.findElement(By.cssSelector("#join")).click();
      until(shopper, "the other store's shopper waits", driver -> "waiting".equals(js(driver, "return window.__videoshop.view")));
      String storedPlace = "return sessionStorage.getItem('videoshop:" + publicKey + ":ticket')";
      assertThat(js(shopper, storedPlace)).as("nothing stored before the store's banner agrees").isNull();
      assertThat(js(shopper, "return VideoShop.consent({storage: true}).storage")).isEqualTo(true);
      assertThat(String.valueOf(js(shopper, storedPlace))).as("the place, once the banner agreed").contains("resumeToken");
      // The tenant's default language serves a browser whose languages the widget lacks.
      showOnOtherShop(origin, "['pt-BR']", "<script src=\"" + base + "/widget.js\" data-key=\"" + publicKey + "\" async></script>");
      assertThat(inWidget(shopper, "return root.querySelector('#join').textContent")).isEqualTo("Rejoindre la file");
      shopper.get(base + "/demo");
      widget(shopper);
      assertThat(inWidget(shopper, "return getComputedStyle(root.querySelector('.launcher')).backgroundColor")).isEqualTo("rgb(15, 118, 110)");
      assertThat(inWidget(shopper, "return root.querySelector('#greeting').textContent")).isEqualTo("Hi! Our fitters find your size.");
      otherShopPage = "<!doctype html><title>Other shop</title><h1>Other shop</h1>" + snippet;
      shopper.get(origin + "/");

      for (String screen : List.of("calls", "api-keys", "billing", "audit")) {
        open(screen);
        screenshot(admin, screen);
      }
      open("api-keys");
      admin.findElement(By.id("api-key-name")).sendKeys("Reports export");
      admin.findElement(By.cssSelector("input[name=scope][value='reports:read']")).click();
      admin.findElement(By.id("api-key-submit")).click();
      until(admin, "the secret, shown once", driver -> driver.findElement(By.id("api-key-secret")).getText().startsWith("vsk_")
          || !driver.findElement(By.id("api-key-secret")).getText().isBlank());
      assertThat(admin.findElement(By.id("api-keys-table")).getText()).contains("Reports export");
      // A call with the key shows in its usage records, under its route class.
      String secret = admin.findElement(By.id("api-key-secret")).getText();
      assertThat(new ApiClient(node.httpPort()).call("GET", "/api/v1/tenants/" + js(admin, "return window.__admin.tenantId")
          + "/reports/live").apiKey(secret).send().status()).isEqualTo(200);
      open("api-keys");
      assertThat(admin.findElement(By.id("api-usage-table")).getText()).contains("Reports export", "reports:read: 1");
      screenshot(admin, "api-keys");
      // Revoked (after a confirmation): the API lists it revoked and refuses its secret.
      js(admin, "window.confirm = () => true");
      clickAndAwaitScreen(admin.findElement(By.xpath("//table[@id='api-keys-table']//tr[td[1][normalize-space()='Reports export']]//button")),
          "api-keys");
      JsonNode revoked = null;
      for (JsonNode key : asSignedIn("GET", tenantApi() + "/api-keys").json()) if ("Reports export".equals(key.get("name").asText())) revoked = key;
      assertThat(revoked.hasNonNull("revokedAt")).as("the API lists the key revoked: " + revoked).isTrue();
      assertThat(new ApiClient(node.httpPort()).call("GET", tenantApi() + "/reports/live").apiKey(secret).send().status()).isEqualTo(401);
      assertThat(admin.findElement(By.xpath("//table[@id='api-keys-table']//tr[td[1][normalize-space()='Reports export']]")).getText())
          .contains("revoked");

      // The month's statement as CSV: the file is what the API serves.
      open("billing");
      String month = String.valueOf(js(admin, "return document.getElementById('statement-month').value"));
      admin.findElement(By.id("statement-csv")).click();
      assertThat(Files.readString(awaitDownload("statement-" + month, ".csv")))
          .isEqualTo(asSignedIn("GET", tenantApi() + "/wallet/statement.csv?month=" + month).body()).startsWith("line,date,");

      open("audit");
      until(admin, "the audit log holds the key's creation", driver -> driver.findElement(By.id("audit-table")).getText().contains("api_key"));
      // Filters: the team test's role change by its action and target, as the API finds it; a range before it finds nothing.
      WebElement filters = admin.findElement(By.id("audit-filter"));
      filters.findElement(By.cssSelector("[data-field=action]")).sendKeys("user.role_changed");
      filters.findElement(By.cssSelector("[data-field=targetId]")).sendKeys(invitedUserId);
      filters.findElement(By.cssSelector("button[type=submit]")).click();
      JsonNode found = asSignedIn("GET", tenantApi() + "/audit?action=user.role_changed&targetId=" + invitedUserId).json().get("items");
      assertThat(found).hasSize(1);
      until(admin, "only the role change is listed", driver -> driver.findElements(By.cssSelector("#audit-table tbody tr")).size() == 1
          && driver.findElement(By.id("audit-table")).getText().contains("user.role_changed"));
      String longAgo = java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(3).toString();
      js(admin, "arguments[0].value = arguments[1]; arguments[2].value = arguments[1]", filters.findElement(By.cssSelector("[data-field=from]")),
          longAgo, filters.findElement(By.cssSelector("[data-field=to]")));
      filters.findElement(By.cssSelector("button[type=submit]")).click();
      until(admin, "nothing matches that range", driver -> driver.findElement(By.id("audit-list")).getText().contains("Nothing matches"));
      screenshot(admin, "audit-filtered");

      // Privacy: an erasure, confirmed in a dialog, becomes a request with its status.
      open("privacy");
      new org.openqa.selenium.support.ui.Select(admin.findElement(By.id("privacy-kind"))).selectByValue("ticketId");
      admin.findElement(By.id("privacy-reference")).sendKeys("no-such-ticket");
      js(admin, "window.__confirmed = []; window.confirm = (text) => { window.__confirmed.push(text); return true; }");
      admin.findElement(By.id("privacy-erase")).click();
      until(admin, "the erasure is listed", driver -> "privacy".equals(js(driver, "return window.__admin.screen"))
          && driver.findElement(By.id("privacy-requests")).getText().contains("erasure"));
      assertThat(String.valueOf(js(admin, "return window.__confirmed.join()"))).contains("cannot be undone", "no-such-ticket");

      // An export of the call's shopper, as a job: it downloads once ready (a zip with a manifest and
      // their ticket), and the list shows the request with a Download button but never its link.
      new org.openqa.selenium.support.ui.Select(admin.findElement(By.id("privacy-kind"))).selectByValue("roomId");
      admin.findElement(By.id("privacy-reference")).clear();
      admin.findElement(By.id("privacy-reference")).sendKeys(roomId);
      admin.findElement(By.id("privacy-export")).click();
      Path zip = awaitDownload("export-room-", ".zip");
      Map<String, String> bundle = unzip(zip);
      assertThat(bundle).containsKeys("manifest.json", "tickets.json", "calls.json");
      assertThat(bundle.get("tickets.json")).contains("Sam Socket");
      assertThat(bundle.get("calls.json")).contains(roomId);
      until(admin, "the export is listed, done, with its button", driver -> "privacy".equals(js(driver, "return window.__admin.screen"))
          && !driver.findElements(By.cssSelector("#privacy-requests .download-export")).isEmpty());
      assertThat(admin.findElement(By.id("privacy-requests")).getText()).contains("export", "done");
      assertThat(admin.getPageSource()).as("no download link in the list").doesNotContain("/privacy/downloads/");
      Files.delete(zip);
      admin.findElement(By.cssSelector("#privacy-requests .download-export")).click();
      assertThat(unzip(awaitDownload("export-room-", ".zip"))).containsKey("manifest.json");

      // The store's own retention, within the platform's limits: out of them is explained in place.
      WebElement device = admin.findElement(By.id("retention-device-metadata"));
      device.sendKeys("400");
      admin.findElement(By.id("retention-save")).click();
      until(admin, "the limit under the field", driver -> fieldError(driver, "retention-device-metadata").contains("1 to 90"));
      assertThat(admin.findElement(By.id("retention-device-metadata")).getAttribute("value")).isEqualTo("400");
      admin.findElement(By.id("retention-device-metadata")).clear();
      admin.findElement(By.id("retention-device-metadata")).sendKeys("14");
      admin.findElement(By.id("retention-save")).click();
      until(admin, "the store's period applies", driver -> "privacy".equals(js(driver, "return window.__admin.screen"))
          && driver.findElement(By.cssSelector("#retention-table tr[data-class='device-metadata'] .applies")).getText().equals("14 days"));
      screenshot(admin, "privacy");
    });
  }

  @Test
  @Order(5)
  void theOperatorSuspendsTheTenantAndTheWidgetSaysSo() throws Exception {
    evidenceOnFailure("operator", () -> {
      // An access token the API refuses is renewed once with the refresh token (which rotates), and the screen loads.
      String refreshBefore = storedSession().get("refreshToken").asText();
      js(admin, "const s = JSON.parse(sessionStorage.getItem('videoshop-admin:session')); s.accessToken = 'not-a-token';"
          + "sessionStorage.setItem('videoshop-admin:session', JSON.stringify(s)); location.reload()");
      screen("privacy");
      until(admin, "the refresh token rotated", driver -> !refreshBefore.equals(storedSession().get("refreshToken").asText()));
      assertThat(admin.findElements(By.cssSelector("#screen-privacy > .error"))).isEmpty();
      // A session revoked elsewhere ends here at the next refused request: the sign-in form says so.
      assertThat(new ApiClient(node.httpPort()).call("POST", "/api/v1/auth/logout")
          .body(Map.of("refreshToken", storedSession().get("refreshToken").asText())).send().status()).isLessThan(300);
      js(admin, "const s = JSON.parse(sessionStorage.getItem('videoshop-admin:session')); s.accessToken = 'not-a-token';"
          + "sessionStorage.setItem('videoshop-admin:session', JSON.stringify(s)); location.reload()");
      until(admin, "the session has ended", driver -> driver.findElement(By.id("sign-in")).isDisplayed()
          && driver.findElement(By.id("sign-in-error")).getText().contains("Your session has ended"));
      signIn(FirstStart.DEMO_OPERATOR);
      assertThat(admin.findElement(By.id("nav")).getText()).contains("Tenants", "Platform health");
      open("health");
      until(admin, "the node is ready", driver -> driver.findElement(By.id("health-status")).getText().equals("Ready"));
      screenshot(admin, "health");
      open("tenants");
      screenshot(admin, "tenants");
      js(admin, "window.confirm = () => true");
      admin.findElement(By.cssSelector("tr[data-slug='demo'] .suspend")).click();
      until(admin, "the demo tenant is suspended", driver -> "tenants".equals(js(driver, "return window.__admin.screen"))
          && driver.findElement(By.cssSelector("tr[data-slug='demo']")).getText().contains("suspended"));

      shopper.navigate().refresh();
      until(shopper, "the widget says video help is not available", driver -> {
        SearchContext widget = widget(driver);
        List<WebElement> notice = widget.findElements(By.cssSelector("#notice-text"));
        if (!notice.isEmpty() && notice.get(0).getText().contains("not available on this store")) return true;
        List<WebElement> launcher = widget.findElements(By.cssSelector("#launcher"));
        if (!launcher.isEmpty() && launcher.get(0).isDisplayed() && widget.findElements(By.cssSelector("#join")).stream().noneMatch(WebElement::isDisplayed)) {
          launcher.get(0).click();
        }
        return false;
      });

      admin.findElement(By.cssSelector("tr[data-slug='demo'] .resume")).click();
      until(admin, "the demo tenant is active again", driver -> "tenants".equals(js(driver, "return window.__admin.screen"))
          && driver.findElement(By.cssSelector("tr[data-slug='demo']")).getText().contains("active"));

      // A new tenant: a taken slug is explained and what was typed stays; a free one is created (the API lists it).
      admin.findElement(By.id("tenant-name-input")).sendKeys("Second Store");
      admin.findElement(By.id("tenant-slug")).sendKeys("demo");
      admin.findElement(By.id("tenant-create-submit")).click();
      until(admin, "the taken slug is explained", driver -> !fieldError(driver, "tenant-slug").isEmpty()
          || driver.findElement(By.id("tenant-create-error")).isDisplayed());
      assertThat(admin.findElement(By.id("tenant-name-input")).getAttribute("value")).isEqualTo("Second Store");
      String slug = "second-" + UUID.randomUUID().toString().substring(0, 6);
      admin.findElement(By.id("tenant-slug")).clear();
      admin.findElement(By.id("tenant-slug")).sendKeys(slug);
      admin.findElement(By.id("tenant-create-submit")).click();
      until(admin, "the new tenant is listed", driver -> "tenants".equals(js(driver, "return window.__admin.screen"))
          && !driver.findElements(By.cssSelector("tr[data-slug='" + slug + "']")).isEmpty());
      JsonNode created = null;
      for (JsonNode tenant : asSignedIn("GET", "/api/v1/tenants?limit=500").json()) if (slug.equals(tenant.get("slug").asText())) created = tenant;
      assertThat(created).as("the API lists the new tenant").isNotNull();
      assertThat(created.get("name").asText()).isEqualTo("Second Store");
      // Its wallet credited through the form: the API's balance is 50.00 higher.
      String walletPath = "/api/v1/tenants/" + created.get("id").asText() + "/wallet";
      long balanceBefore = asSignedIn("GET", walletPath).json().get("balance").asLong();
      WebElement topUp = admin.findElement(By.id("top-up"));
      new org.openqa.selenium.support.ui.Select(topUp.findElement(By.cssSelector("[data-field=tenantId]"))).selectByValue(created.get("id").asText());
      topUp.findElement(By.cssSelector("[data-field=amount]")).sendKeys("50.00");
      admin.findElement(By.id("top-up-submit")).click();
      until(admin, "the wallet is credited", driver -> asSignedIn("GET", walletPath).json().get("balance").asLong() == balanceBefore + 5000);
      screenshot(admin, "tenants-created");

      // Sign out revokes the refresh token: it renews nothing any more.
      String refreshToken = storedSession().get("refreshToken").asText();
      admin.findElement(By.id("sign-out")).click();
      until(admin, "the sign-in form", driver -> driver.findElement(By.id("sign-in")).isDisplayed());
      assertThat(js(admin, "return sessionStorage.getItem('videoshop-admin:session')")).isNull();
      new WebDriverWait(admin, STEP).withMessage("the refresh token is revoked").until(driver -> new ApiClient(node.httpPort())
          .call("POST", "/api/v1/auth/refresh").body(Map.of("refreshToken", refreshToken)).send().status() == 401);
    });
  }

  // ---- Helpers --------------------------------------------------------------------------------

  /** A whole call of the demo store over the real sockets (no browsers): its room id. */
  private String aCallWithAProductAFeedbackAndAWrapUp() throws Exception {
    ApiClient api = new ApiClient(node.httpPort());
    JsonNode owner = api.call("POST", "/api/v1/auth/login").body(Map.of("email", OWNER, "password", FirstStart.DEMO_PASSWORD)).send().json();
    String agentToken = api.call("POST", "/api/v1/auth/login")
        .body(Map.of("email", FirstStart.DEMO_PEOPLE.get(1), "password", FirstStart.DEMO_PASSWORD)).send().json().get("accessToken").asText();
    String tenantId = owner.at("/user/tenantId").asText();
    String widgetKey = api.call("POST", "/api/v1/tenants/" + tenantId + "/widget-keys").bearer(owner.get("accessToken").asText())
        .body(Map.of("name", "socket store", "allowedOrigins", List.of(base))).send().json().get("publicKey").asText();
    TestCalls.Assigned call = TestCalls.assign(node.httpPort(), widgetKey, base, agentToken,
        Map.of("type", "join", "name", "Sam Socket", "productInterest", "trail shoes"));
    try (SocketClient agent = SocketClient.room(node.httpPort(), call.agentRoomToken());
        SocketClient shopperRoom = SocketClient.room(node.httpPort(), call.shopperRoomToken())) {
      agent.next("room");
      shopperRoom.next("room");
      shopperRoom.next("call-started");
      agent.send(Map.of("type", "product", "sku", "TRAIL-38", "title", "Trail runner", "price", "89.00 EUR"));
      agent.next("product"); // the room echoes it to the agent: an error frame instead shows in the failure
      shopperRoom.next("product");
      shopperRoom.send(Map.of("type", "add-to-cart", "sku", "TRAIL-38"));
      agent.next("added-to-cart");
      agent.send(Map.of("type", "hang-up"));
      shopperRoom.next("call-ended");
      shopperRoom.send(Map.of("type", "feedback", "rating", 5, "comment", "Found my size"));
      shopperRoom.next("ok");
      agent.send(Map.of("type", "wrap-up", "outcome", "sale", "note", "Bought the trail runner"));
      agent.next("ok");
    }
    return call.roomId();
  }

  /** What the API says, asked as the admin tab's signed-in user (its current access token). */
  private ApiClient.Reply asSignedIn(String method, String path, Object... body) {
    ApiClient.Call call = new ApiClient(node.httpPort()).call(method, path).bearer(storedSession().get("accessToken").asText());
    if (body.length > 0) call.body(body[0]);
    ApiClient.Reply reply = call.send();
    assertThat(reply.status()).as(method + " " + path + ": " + reply.body()).isLessThan(300);
    return reply;
  }

  private String tenantApi() {
    return "/api/v1/tenants/" + js(admin, "return window.__admin.tenantId");
  }

  private JsonNode userByEmail(String email) {
    for (JsonNode user : asSignedIn("GET", tenantApi() + "/users").json()) if (email.equals(user.get("email").asText())) return user;
    throw new AssertionError("no user " + email);
  }

  private JsonNode pendingInvitation(String email) {
    for (JsonNode invitation : asSignedIn("GET", tenantApi() + "/invitations").json()) {
      if (email.equals(invitation.get("email").asText()) && "pending".equals(invitation.get("status").asText())) return invitation;
    }
    return null;
  }

  private WebElement userRow(String email) {
    return admin.findElement(By.cssSelector("#users-table tr[data-email='" + email + "']"));
  }

  /** Clicks (or types `keys` into) an element whose action shows the screen again, and waits for the new one. */
  private void clickAndAwaitScreen(WebElement element, String screen, CharSequence... keys) {
    js(admin, "document.getElementById('screen-' + arguments[0]).dataset.stale = 'yes'", screen);
    if (keys.length == 0) element.click();
    else element.sendKeys(keys);
    until(admin, "the " + screen + " screen again", driver -> screen.equals(js(driver, "return window.__admin.screen"))
        && Boolean.TRUE.equals(js(driver, "const s = document.getElementById('screen-' + arguments[0]); return !!s && !s.dataset.stale", screen)));
    assertThat(admin.findElements(By.cssSelector("#screen-" + screen + " > .error"))).isEmpty();
  }

  /** The user's data rights, opened. */
  private WebElement dataRights(String email) {
    WebElement rights = userRow(email).findElement(By.cssSelector(".data-rights"));
    if (rights.getAttribute("open") == null) rights.findElement(By.tagName("summary")).click();
    return rights;
  }

  /** The admin tab's stored session (tokens and user). */
  private JsonNode storedSession() {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(String.valueOf(js(admin,
          "return sessionStorage.getItem('videoshop-admin:session')")));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void signIn(String email) {
    admin.findElement(By.id("email")).clear();
    admin.findElement(By.id("email")).sendKeys(email);
    admin.findElement(By.id("password")).sendKeys(FirstStart.DEMO_PASSWORD);
    admin.findElement(By.id("sign-in-button")).click();
    until(admin, "signed in", driver -> driver.findElement(By.id("nav")).isDisplayed());
  }

  /** Opens a screen through its navigation link and waits until it has loaded. */
  private void open(String screen) {
    js(admin, "window.scrollTo(0, 0)");
    admin.findElement(By.id("nav-" + screen)).click();
    until(admin, "the " + screen + " screen", driver -> screen.equals(js(driver, "return window.__admin.screen")));
    assertThat(admin.findElements(By.cssSelector("#screen-" + screen + " > .error"))).isEmpty();
  }

  private void screen(String screen) {
    until(admin, "the " + screen + " screen", driver -> screen.equals(js(driver, "return window.__admin.screen")));
  }

  private void setEveryDay(String windows) {
    for (String day : List.of("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")) {
      WebElement input = admin.findElement(By.id("hours-" + day));
      input.clear();
      if (!windows.isEmpty()) input.sendKeys(windows);
    }
  }

  private void joinOnDemo() {
    shopper.manage().deleteAllCookies();
    shopper.get(base + "/demo");
    js(shopper, "sessionStorage.clear(); localStorage.clear()");
    shopper.get(base + "/demo");
    SearchContext widget = widget(shopper);
    widget.findElement(By.cssSelector("#launcher")).click();
    widget.findElement(By.cssSelector("#join-name")).sendKeys("Ada Shopper");
    widget.findElement(By.cssSelector("#join")).click();
  }

  /** The other store's page with `tag`, in a browser whose languages are `languages` (a JS array). */
  private void showOnOtherShop(String origin, String languages, String tag) {
    otherShopPage = "<!doctype html><meta charset=utf-8><title>Other shop</title><script>Object.defineProperty(navigator, 'languages', "
        + "{get: () => " + languages + "});</script>" + tag;
    shopper.get(origin + "/?" + UUID.randomUUID());
    widget(shopper);
  }

  /** Runs `script` with `root` bound to the widget's shadow root. */
  private static Object inWidget(WebDriver driver, String script) {
    return js(driver, "const root = document.getElementById('videoshop-widget').shadowRoot; " + script);
  }

  /**
   * The widget's language choice (widget-texts.js, run in Chromium as the widget runs it) and its
   * texts: every language has every text the English one has.
   */
  @SuppressWarnings("unchecked")
  private void theLanguageChoiceAndTheTextsAreComplete() {
    Map<String, Object> result = (Map<String, Object>) ((JavascriptExecutor) shopper).executeAsyncScript("""
        const done = arguments[arguments.length - 1];
        Promise.all([import(arguments[0] + '/web/widget-texts.js'), import(arguments[0] + '/web/client.js')]).then(([m, c]) => {
          const keys = (o, prefix = '') => Object.entries(o).flatMap(([k, v]) => typeof v === 'object' ? keys(v, prefix + k + '.') : [prefix + k]);
          const english = keys(m.TEXTS.en);
          done({
            picks: [m.pickLanguage(['en-US'], null), m.pickLanguage(['de-AT', 'fr'], 'es'), m.pickLanguage(['pt-BR', 'it'], 'es'),
              m.pickLanguage([], null), m.pickLanguage(['FR-ca'], 'de'), m.pickLanguage(['pt'], 'xx')].join(' '),
            missing: m.LANGUAGES.flatMap((l) => english.filter((k) => !keys(m.TEXTS[l]).includes(k)).map((k) => l + ':' + k)).join(' '),
            german: [m.textsFor('de').wait({ lowSeconds: 120, highSeconds: 480 }), m.textsFor('de').sentence({ code: 'insufficient_funds' }),
              m.textsFor('es').sentence({ code: 'invalid_field', field: 'email' })].join(' | '),
            // The console's and admin app's English sentences are the widget's where it has one, plus staff-only ones.
            staff: Object.keys(m.TEXTS.en.codes).filter((code) => code !== 'queue_closed_until' && c.sentenceFor({ code }) !== m.TEXTS.en.codes[code])
              .concat(Object.keys(m.TEXTS.en.fields).filter((f) => c.sentenceFor({ code: 'invalid_field', field: f }) !== m.TEXTS.en.fields[f]))
              .join(' '),
            staffOnly: [c.sentenceFor({ code: 'invalid_credentials' }), c.sentenceFor({ code: 'validation_failed', errors: [{ field: 'sku' }] }),
              c.describeEnd({ reason: 'hung-up', endedBy: 'shopper', durationSeconds: 64 }, 'agent')].join(' | '),
          });
        }, (e) => done({ error: String(e) }));""", base);
    assertThat(result.get("error")).isNull();
    assertThat(result.get("picks")).isEqualTo("en de es en fr en");
    assertThat(result.get("missing")).as("texts missing in a language").isEqualTo("");
    assertThat(result.get("staff")).as("client.js sentences that differ from the widget's English ones").isEqualTo("");
    assertThat(result.get("staffOnly")).isEqualTo("That email address and password do not match an account. | "
        + "Please enter the product's SKU (up to 64 characters). | The shopper ended the call. It lasted 1 min 4 s.");
    assertThat(result.get("german")).isEqualTo("etwa 2 bis 8 Minuten | Die Videoberatung ist in diesem Shop derzeit nicht verfügbar. "
        + "Bitte versuchen Sie es später erneut. | Introduzca un correo electrónico válido, como ada@example.com.");
  }

  private static String fieldError(WebDriver driver, String inputId) {
    return (String) js(driver, "const f = document.getElementById(arguments[0]).closest('.field');"
        + "const e = f && f.querySelector('.field-error'); return e && !e.hidden ? e.textContent : ''", inputId);
  }

  private SearchContext widget(WebDriver driver) {
    until(driver, "the widget on the page", d -> !d.findElements(By.id("videoshop-widget")).isEmpty()
        && js(d, "return window.__videoshop && window.__videoshop.view") != null);
    return driver.findElement(By.id("videoshop-widget")).getShadowRoot();
  }

  private String mailedLink(String email) {
    Pattern link = Pattern.compile("https?://\\S+/account/invitation#token=inv_[A-Za-z0-9_-]+");
    String token = mail.awaitToken(email, "inv_");
    Optional<String> found = mail.mails().stream()
        .filter(m -> m.getToRecipients().stream().anyMatch(to -> to.getAddress().equalsIgnoreCase(email)))
        .map(m -> link.matcher(m.getPlainText())).filter(Matcher::find).map(Matcher::group)
        .filter(url -> url.endsWith(token)).findFirst();
    assertThat(found).as("the invitation mail's link").isPresent();
    // The link names the node's public address; the browser reaches the same node here.
    return base + found.get().substring(found.get().indexOf("/account/"));
  }

  /** The entries of a downloaded zip, as text. */
  private static Map<String, String> unzip(Path zip) throws IOException {
    Map<String, String> entries = new java.util.HashMap<>();
    try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(Files.newInputStream(zip))) {
      for (java.util.zip.ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
        entries.put(entry.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    return entries;
  }

  private Path awaitDownload(String prefix, String suffix) {
    Path[] found = new Path[1];
    new WebDriverWait(admin, STEP).withMessage("a downloaded " + prefix + "*" + suffix).until(driver -> {
      try (Stream<Path> files = Files.list(downloads)) {
        found[0] = files.filter(p -> p.getFileName().toString().startsWith(prefix) && p.getFileName().toString().endsWith(suffix))
            .findFirst().orElse(null);
        return found[0] != null && Files.size(found[0]) > 0;
      } catch (IOException e) {
        return false;
      }
    });
    return found[0];
  }

  private void screenshot(ChromeDriver driver, String name) throws IOException {
    Files.write(output.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
  }

  private interface Step {
    void run() throws Exception;
  }

  private void evidenceOnFailure(String name, Step step) throws Exception {
    try {
      step.run();
    } catch (Throwable failure) {
      try {
        screenshot(admin, name + "-failed-admin");
        screenshot(shopper, name + "-failed-shopper");
        Files.writeString(output.resolve(name + "-failed-admin.html"), admin.getPageSource());
        Files.writeString(output.resolve(name + "-failed-admin-console.txt"),
            String.join("\n", admin.manage().logs().get("browser").getAll().stream().map(Object::toString).toList()));
      } catch (Exception ignored) {
        // Evidence is best effort.
      }
      throw failure;
    }
  }

  private static Object js(WebDriver driver, String script, Object... arguments) {
    return ((JavascriptExecutor) driver).executeScript(script, arguments);
  }

  private static void until(WebDriver driver, String what, Function<WebDriver, Boolean> condition) {
    new WebDriverWait(driver, STEP).withMessage(what).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .ignoring(org.openqa.selenium.NoSuchElementException.class).until(condition::apply);
  }

  private static void deleteQuietly(Path folder) {
    try (Stream<Path> files = Files.walk(folder)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // A temporary folder left behind is harmless.
    }
  }
}
