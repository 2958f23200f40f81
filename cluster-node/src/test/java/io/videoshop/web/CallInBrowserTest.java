package io.videoshop.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.videoshop.domain.Caller;
import io.videoshop.access.FirstStart;
import io.videoshop.access.WidgetKeys;
import io.videoshop.node.ApiClient;
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
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The whole product in two real browsers: a shopper on the demo store and an agent in the console
 * meet in a WebRTC video call through one node (demo profile, PostgreSQL), with fake cameras.
 * Checks what a person would see, the media really flowing (decoded frames), the store's own
 * cart receiving the widget's add-to-cart event, and the call as the API then records it.
 * Screenshots of both sides mid-call land in the test output folder.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CallInBrowserTest {
  private static final Duration STEP = Duration.ofSeconds(20);
  /** Room for one renegotiation: the agent's console negotiates afresh 8 s after an offer that did not connect. */
  private static final Duration CONNECT = Duration.ofSeconds(30);
  private static final String SKU = "TRAIL-38";

  private final List<Path> profiles = new ArrayList<>();
  private TestDatabase database;
  private VideoShopNode node;
  private String base;
  private ChromeDriver shopper;
  private ChromeDriver agent;
  private Path output;

  @BeforeAll
  void start() throws IOException {
    Chromium.requireInstalled();
    database = TestDatabase.postgres();
    node = TestNodes.start(database, "videoshop.profile = demo");
    // The demo widget key allows the node's own origin: the browsers use that address.
    base = "http://127.0.0.1:" + node.httpPort();
    output = Path.of(System.getenv().getOrDefault("VIDEOSHOP_TEST_REPORTS", "target/test-output"), "browser");
    Files.createDirectories(output);
    profiles.add(Chromium.newProfile());
    profiles.add(Chromium.newProfile());
    shopper = Chromium.start(profiles.get(0), 1280, 860);
    agent = Chromium.start(profiles.get(1), 1366, 900);
  }

  @AfterAll
  void stop() throws Exception {
    for (WebDriver driver : new WebDriver[] {shopper, agent}) {
      if (driver != null) driver.quit();
    }
    if (node != null) node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    if (database != null) database.close();
    for (Path profile : profiles) deleteQuietly(profile);
  }

  @Test
  void shopperAndAgentTalkOnVideoShowAProductAndTheCallIsRecorded() throws Exception {
    try {
      run();
    } catch (Throwable failure) {
      saveEvidence("failed");
      throw failure;
    }
  }

  private void run() throws Exception {
    // The shopper opens the store and joins the queue through the widget.
    shopper.get(base + "/demo");
    SearchContext widget = widget();
    widget.findElement(By.cssSelector("#launcher")).click();
    widget.findElement(By.cssSelector("#join-name")).sendKeys("Ada Shopper");
    widget.findElement(By.cssSelector("#join-interest")).sendKeys("trail shoes, size 38");
    widget.findElement(By.cssSelector("#join")).click();
    waitFor(shopper, "the shopper waits in the queue", "return window.__videoshop.view === 'waiting'");
    assertThat(widget.findElement(By.cssSelector("#place")).getText()).isEqualTo("You are next in line.");

    // The agent signs in, goes available and is offered the shopper.
    agent.get(base + "/console");
    agent.findElement(By.id("email")).sendKeys(FirstStart.DEMO_PEOPLE.get(1));
    agent.findElement(By.id("password")).sendKeys(FirstStart.DEMO_PASSWORD);
    agent.findElement(By.id("sign-in-button")).click();
    until(agent, "the console shows the queue", driver -> driver.findElement(By.id("desk")).isDisplayed());
    until(agent, "the waiting shopper is listed", driver ->
        driver.findElement(By.id("queue-rows")).getText().contains("Ada Shopper"));
    agent.findElement(By.id("presence-available")).click();
    until(agent, "an offer with a countdown", driver -> driver.findElement(By.id("offer")).isDisplayed()
        && !driver.findElement(By.id("offer-seconds")).getText().isEmpty());
    assertThat(agent.findElement(By.id("offer-name")).getText()).isEqualTo("Ada Shopper");
    agent.findElement(By.id("accept")).click();

    // Both end up in the call room; WebRTC connects and video frames arrive.
    waitFor(agent, "the agent's call view", "return window.__videoshop.view === 'call'");
    waitFor(shopper, "the shopper's call view", "return window.__videoshop.view === 'call'");
    String roomId = (String) js(agent, "return window.__videoshop.roomId");
    assertThat(roomId).isNotBlank();
    String connected = "return window.__videoshop.pc?.connectionState === 'connected'";
    until(shopper, CONNECT, "the shopper's peer connection is connected", driver -> Boolean.TRUE.equals(js(driver, connected)));
    until(agent, CONNECT, "the agent's peer connection is connected", driver -> Boolean.TRUE.equals(js(driver, connected)));
    until(shopper, "the shopper decodes the agent's video", driver -> framesDecoded(driver) > 0);
    until(agent, "the agent decodes the shopper's video", driver -> framesDecoded(driver) > 0);

    // The agent shows a product; the shopper adds it to the store's own cart.
    agent.findElement(By.id("product-sku")).sendKeys(SKU);
    agent.findElement(By.id("product-title")).sendKeys("Trail runner");
    agent.findElement(By.id("product-price")).sendKeys("89.00 EUR");
    agent.findElement(By.id("product-image")).sendKeys(base + "/web/demo-trail.svg");
    agent.findElement(By.id("product-url")).sendKeys(base + "/demo#trail-runner");
    agent.findElement(By.id("share-product")).click();
    js(shopper, "window.__cartEvents = []; document.addEventListener('videoshop:add-to-cart',"
        + " (event) => window.__cartEvents.push(event.detail));");
    until(shopper, "the product beside the video", driver ->
        !widget().findElements(By.cssSelector(".product[data-sku='" + SKU + "'] .add-to-cart")).isEmpty());
    widget().findElement(By.cssSelector(".product[data-sku='" + SKU + "'] .add-to-cart")).click();
    until(shopper, "the demo store's cart holds the product", driver ->
        !driver.findElements(By.cssSelector("#cart-items li[data-sku='" + SKU + "']")).isEmpty());
    assertThat(shopper.findElement(By.id("cart-count")).getText()).isEqualTo("1");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> events = (List<Map<String, Object>>) js(shopper, "return window.__cartEvents");
    assertThat(events).singleElement().satisfies(detail -> assertThat(detail)
        .containsEntry("sku", SKU).containsEntry("title", "Trail runner").containsEntry("price", "89.00 EUR")
        .containsEntry("productUrl", base + "/demo#trail-runner"));
    until(agent, "the agent hears of the add to cart", driver ->
        !driver.findElements(By.cssSelector("#carted li[data-sku='" + SKU + "']")).isEmpty());
    screenshot(shopper, "shopper-mid-call.png");
    screenshot(agent, "agent-mid-call.png");

    // The agent hangs up; the shopper rates the call; the agent wraps it up.
    agent.findElement(By.id("hang-up")).click();
    waitFor(shopper, "the feedback form", "return window.__videoshop.view === 'feedback'");
    assertThat(widget().findElement(By.cssSelector("#ended-text")).getText()).startsWith("Your expert ended the call.");
    widget().findElement(By.cssSelector(".star[data-rating='5']")).click();
    widget().findElement(By.cssSelector("#feedback-comment")).sendKeys("Very helpful");
    widget().findElement(By.cssSelector("#send-feedback")).click();
    waitFor(shopper, "thanks for the feedback", "return window.__videoshop.view === 'thanks'");
    until(agent, "the wrap-up form", driver -> driver.findElement(By.id("wrap-up-card")).isDisplayed());
    agent.findElement(By.id("outcome-sale")).click();
    agent.findElement(By.id("wrap-up-note")).sendKeys("Bought the trail runner");
    agent.findElement(By.id("save-wrap-up")).click();
    waitFor(agent, "the agent is back at the queue", "return window.__videoshop.view === 'desk'");
    until(agent, "the agent is available again", driver -> "available".equals(js(driver, "return window.__videoshop.presence")));

    // What the room recorded, through the API.
    JsonNode call = recordedCall(roomId);
    String agentId = new ApiClient(node.httpPort()).call("POST", "/api/v1/auth/login")
        .body(Map.of("email", FirstStart.DEMO_PEOPLE.get(1), "password", FirstStart.DEMO_PASSWORD)).send()
        .json().path("user").path("id").asText();
    assertThat(call.path("agentId").asText()).isEqualTo(agentId);
    assertThat(call.path("status").asText()).isEqualTo("ended");
    assertThat(call.path("endReason").asText()).isEqualTo("hung-up");
    assertThat(call.path("endedBy").asText()).isEqualTo("agent");
    assertThat(call.path("startedAt").asText()).isNotBlank();
    assertThat(call.path("endedAt").asText()).isNotBlank();
    assertThat(call.path("durationSeconds").asLong()).isPositive();
    assertThat(call.path("participants")).hasSize(2).allSatisfy(participant -> {
      assertThat(participant.path("firstJoinedAt").asText()).isNotBlank();
      assertThat(participant.path("lastLeftAt").asText()).isNotBlank();
      assertThat(participant.path("userAgent").asText()).contains("Chrome");
      assertThat(participant.path("localCandidateType").asText()).isIn("host", "srflx", "prflx", "relay");
    });
    assertThat(call.path("feedback").path("rating").asInt()).isEqualTo(5);
    assertThat(call.path("feedback").path("comment").asText()).isEqualTo("Very helpful");
    assertThat(call.path("wrapUp").path("outcome").asText()).isEqualTo("sale");
    assertThat(call.path("products")).singleElement().satisfies(product -> {
      assertThat(product.path("sku").asText()).isEqualTo(SKU);
      assertThat(product.path("title").asText()).isEqualTo("Trail runner");
    });
    assertThat(call.path("addedToCart")).extracting(JsonNode::asText).containsExactly(SKU);
  }

  /**
   * The widget on a merchant's own site (another origin than the node's): it loads its module
   * across origins, joins where the key allows the site, and says so in words where it does not.
   */
  @Test
  void widgetOnAnotherSiteJoinsOnlyWhereItsKeyAllowsThatSite() throws Exception {
    HttpServer store = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    String storeOrigin = "http://127.0.0.1:" + store.getAddress().getPort();
    String tenantId = node.platform().tenants.findBySlug(FirstStart.DEMO_SLUG).orElseThrow().id();
    String allowedKey = node.platform().widgetKeys.create(Caller.system("test"), tenantId,
        new WidgetKeys.CreateWidgetKey("merchant site", List.of(storeOrigin))).publicKey();
    String otherSiteKey = node.platform().widgetKeys.create(Caller.system("test"), tenantId,
        new WidgetKeys.CreateWidgetKey("another site", List.of("https://elsewhere.example"))).publicKey();
    store.createContext("/", exchange -> {
      String key = exchange.getRequestURI().getPath().endsWith("/allowed") ? allowedKey : otherSiteKey;
      byte[] page = ("<!doctype html><html><head><title>A merchant</title><style>div, button { color: red !important; }"
          + "</style></head><body><h1>A merchant's page</h1><script src=\"" + base + "/widget.js\" data-key=\"" + key
          + "\"></script></body></html>").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
      exchange.sendResponseHeaders(200, page.length);
      exchange.getResponseBody().write(page);
      exchange.close();
    });
    store.start();
    try {
      shopper.get(storeOrigin + "/refused");
      join("Grace Visitor");
      waitFor(shopper, "the refusal in words", "return window.__videoshop.view === 'notice'");
      assertThat(widget().findElement(By.cssSelector("#notice-text")).getText())
          .isEqualTo("Live video help is not enabled on this website.");

      shopper.get(storeOrigin + "/allowed");
      join("Grace Visitor");
      waitFor(shopper, "a place in the queue", "return window.__videoshop.view === 'waiting'");
      widget().findElement(By.cssSelector("#leave")).click();
      waitFor(shopper, "the join form again", "return window.__videoshop.view === 'form'");
    } catch (Throwable failure) {
      saveEvidence("other-site-failed");
      throw failure;
    } finally {
      store.stop(0);
    }
  }

  private void join(String name) {
    SearchContext widget = widget();
    widget.findElement(By.cssSelector("#launcher")).click();
    widget.findElement(By.cssSelector("#join-name")).sendKeys(name);
    widget.findElement(By.cssSelector("#join")).click();
  }

  /** The call record once both participants have left and both forms are in. */
  private JsonNode recordedCall(String roomId) {
    ApiClient api = new ApiClient(node.httpPort());
    ApiClient.Reply login = api.call("POST", "/api/v1/auth/login")
        .body(Map.of("email", FirstStart.DEMO_PEOPLE.get(0), "password", FirstStart.DEMO_PASSWORD)).send();
    String token = login.json().path("accessToken").asText();
    String tenantId = login.json().path("user").path("tenantId").asText();
    JsonNode[] call = new JsonNode[1];
    Awaitility.await("the recorded call").atMost(STEP).pollInterval(Duration.ofMillis(250)).until(() -> {
      ApiClient.Reply reply = api.call("GET", "/api/v1/tenants/" + tenantId + "/calls/" + roomId).bearer(token).send();
      assertThat(reply.status()).as("%s", reply).isEqualTo(200);
      call[0] = reply.json();
      boolean bothLeft = call[0].path("participants").size() == 2;
      for (JsonNode participant : call[0].path("participants")) bothLeft &= !participant.path("lastLeftAt").isNull();
      return bothLeft && !call[0].path("feedback").isNull() && !call[0].path("wrapUp").isNull();
    });
    return call[0];
  }

  /** The widget's shadow root on the demo store (looked up afresh: the page may re-render it). */
  private SearchContext widget() {
    until(shopper, "the widget on the page", driver -> !driver.findElements(By.id("videoshop-widget")).isEmpty()
        && js(driver, "return window.__videoshop && window.__videoshop.view") != null);
    WebElement host = shopper.findElement(By.id("videoshop-widget"));
    return host.getShadowRoot();
  }

  /** Video frames the page's peer connection has decoded so far (inbound-rtp, from getStats). */
  private static long framesDecoded(WebDriver driver) {
    Object frames = ((JavascriptExecutor) driver).executeAsyncScript("""
        const done = arguments[arguments.length - 1];
        const pc = window.__videoshop && window.__videoshop.pc;
        if (!pc) { done(0); return; }
        pc.getStats().then((stats) => {
          let frames = 0;
          stats.forEach((report) => {
            if (report.type === 'inbound-rtp' && report.kind === 'video') frames += report.framesDecoded || 0;
          });
          done(frames);
        }, () => done(0));
        """);
    return ((Number) frames).longValue();
  }

  private static Object js(WebDriver driver, String script) {
    return ((JavascriptExecutor) driver).executeScript(script);
  }

  private static void waitFor(WebDriver driver, String what, String condition) {
    until(driver, what, browser -> Boolean.TRUE.equals(js(browser, condition)));
  }

  private static void until(WebDriver driver, String what, Function<WebDriver, Boolean> condition) {
    until(driver, STEP, what, condition);
  }

  private static void until(WebDriver driver, Duration timeout, String what, Function<WebDriver, Boolean> condition) {
    new WebDriverWait(driver, timeout, Duration.ofMillis(100)).withMessage(what).until(condition::apply);
  }

  private void screenshot(ChromeDriver driver, String name) throws IOException {
    Files.write(output.resolve(name), driver.getScreenshotAs(OutputType.BYTES));
  }

  /** Screenshots, browser console logs and pages of both sides, to see why a run failed. */
  private void saveEvidence(String prefix) {
    for (Map.Entry<String, ChromeDriver> side : Map.of("shopper", shopper, "agent", agent).entrySet()) {
      try {
        screenshot(side.getValue(), prefix + "-" + side.getKey() + ".png");
        StringBuilder log = new StringBuilder();
        for (LogEntry entry : side.getValue().manage().logs().get(LogType.BROWSER)) log.append(entry).append('\n');
        Files.writeString(output.resolve(prefix + "-" + side.getKey() + "-console.log"), log);
        Files.writeString(output.resolve(prefix + "-" + side.getKey() + ".html"), side.getValue().getPageSource());
        Object connection = side.getValue().executeAsyncScript("""
            const done = arguments[arguments.length - 1];
            const pc = window.__videoshop && window.__videoshop.pc;
            if (!pc) { done('no peer connection'); return; }
            const states = {connection: pc.connectionState, ice: pc.iceConnectionState, gathering: pc.iceGatheringState,
              signaling: pc.signalingState, local: !!pc.localDescription, remote: !!pc.remoteDescription};
            pc.getStats().then((stats) => {
              const reports = [];
              stats.forEach((r) => { if (r.type.includes('candidate')) reports.push(r); });
              done(JSON.stringify({states, reports}, null, 1));
            }, () => done(JSON.stringify(states)));
            """);
        Files.writeString(output.resolve(prefix + "-" + side.getKey() + "-peer.json"), String.valueOf(connection));
      } catch (Exception e) {
        // Evidence is best effort; the test's own failure is what counts.
      }
    }
  }

  private static void deleteQuietly(Path directory) {
    try (var paths = Files.walk(directory)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // A temporary profile left behind is harmless.
    }
  }
}
