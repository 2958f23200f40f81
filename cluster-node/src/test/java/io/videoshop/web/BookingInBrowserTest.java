package io.videoshop.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.access.FirstStart;
import io.videoshop.node.ApiClient;
import io.videoshop.node.TestNodes;
import io.videoshop.node.VideoShopNode;
import io.videoshop.persistence.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoshop.scheduling.BookingCalendar;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A shopper in New York books a time in the widget on /demo (the demo tenant keeps UTC): days and
 * slots in the shopper's zone, the form, the confirmation with the time in both zones; then the
 * mail's signed link (the token in the URL fragment) opens the booking in the widget and the
 * shopper cancels it, without an account. Then, in the same browser, a booking made in the widget
 * is kept in the store's localStorage, and at its time the widget on a fresh page offers "Join
 * your appointment" without the mail's link and joins the queue as the booking. Screenshots go to
 * target/test-output/booking/ (docs/scheduling.md shows one). One node on PostgreSQL for both.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BookingInBrowserTest {
  private TestDatabase database;
  private VideoShopNode node;
  private Path profile;
  private Path output;
  private String base;
  private ApiClient api;
  private String tenantId;
  private String owner;
  private String agentId;

  @BeforeAll
  void start() throws Exception {
    Chromium.requireInstalled();
    profile = Chromium.newProfile();
    output = Path.of(System.getenv().getOrDefault("VIDEOSHOP_TEST_REPORTS", "target/test-output"), "booking");
    Files.createDirectories(output);
    database = TestDatabase.postgres();
    node = TestNodes.start(database, "videoshop.profile = demo");
    base = "http://127.0.0.1:" + node.httpPort();
    api = new ApiClient(node.httpPort());
    tenantId = node.platform().tenants.findBySlug(FirstStart.DEMO_SLUG).orElseThrow().id();
    owner = login(api, FirstStart.DEMO_PEOPLE.get(0));
    agentId = api.call("POST", "/api/v1/auth/login").body(Map.of("email", FirstStart.DEMO_PEOPLE.get(1),
        "password", FirstStart.DEMO_PASSWORD)).send().json().at("/user/id").asText();
    assertThat(api.call("PUT", "/api/v1/tenants/" + tenantId + "/agents/" + agentId + "/working-hours")
        .bearer(owner).body(Map.of("takesBookings", true)).send().status()).isEqualTo(200);
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    if (database != null) database.close();
  }

  @Test
  @Order(1)
  void aShopperBooksATimeInTheWidgetSeesBothZonesAndCancelsByTheLink() throws Exception {
    ChromeDriver shopper = Chromium.start(profile, 1280, 900);
    try {
      shopper.executeCdpCommand("Emulation.setTimezoneOverride", Map.of("timezoneId", "America/New_York"));
      shopper.get(base + "/demo");
      SearchContext widget = widget(shopper);
      widget.findElement(By.cssSelector("#launcher")).click();
      widget.findElement(By.cssSelector("#book-instead")).click();
      until(shopper, "return window.__videoshop.view === 'booking'");
      await().atMost(Duration.ofSeconds(20)).until(() -> widget.findElements(By.cssSelector("#booking-days .day")).size() > 1);
      assertThat(widget.findElement(By.cssSelector("#booking .lead")).getText()).contains("America/New_York");
      // Tomorrow's first time: well outside the two hours' change notice, so the link may cancel it.
      widget.findElements(By.cssSelector("#booking-days .day")).get(1).click();
      WebElement slot = widget.findElements(By.cssSelector("#booking-slots .slot")).get(0);
      String start = slot.getAttribute("data-start");
      slot.click();
      assertThat(widget.findElement(By.cssSelector("#booking-slots .slot[aria-pressed='true']")).getAttribute("data-start"))
          .isEqualTo(start);
      widget.findElement(By.cssSelector("#booking-submit")).click();
      assertThat(widget.findElement(By.cssSelector("#booking-error")).getText()).as("name and email are required")
          .contains("name");
      widget.findElement(By.cssSelector("#booking-name")).sendKeys("Nora New York");
      widget.findElement(By.cssSelector("#booking-email")).sendKeys("nora@buyer.test");
      widget.findElement(By.cssSelector("#booking-interest")).sendKeys("a warm winter jacket");
      widget.findElement(By.cssSelector("#booking-consent")).click();
      widget.findElement(By.cssSelector("#booking-marketing")).click();
      Files.write(output.resolve("widget-booking-slots.png"), shopper.getScreenshotAs(OutputType.BYTES));
      widget.findElement(By.cssSelector("#booking-submit")).click();

      until(shopper, "return window.__videoshop.view === 'booked'");
      assertThat(widget.findElement(By.cssSelector("#booked-title")).getText()).isEqualTo("Your video call is booked");
      assertThat(widget.findElement(By.cssSelector("#booked-local")).getText()).contains("(America/New_York)");
      assertThat(widget.findElement(By.cssSelector("#booked-times")).getText()).contains("The shop\u2019s time (UTC)");
      assertThat(widget.findElement(By.cssSelector("#booked-ics")).getAttribute("href")).startsWith("blob:");
      Files.write(output.resolve("widget-booking-confirmed.png"), shopper.getScreenshotAs(OutputType.BYTES));

      // The booking as the calendar has it (the read model is a moment behind).
      JsonNode[] booked = new JsonNode[1];
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        JsonNode items = api.call("GET", "/api/v1/tenants/" + tenantId + "/bookings?agentId=" + agentId).bearer(owner)
            .send().json().get("items");
        booked[0] = items != null && items.size() == 1 ? items.get(0) : null;
        return booked[0] != null;
      });
      assertThat(booked[0].get("start").asText()).isEqualTo(start);
      assertThat(booked[0].get("shopperTimeZone").asText()).isEqualTo("America/New_York");

      // The booking agreed to marketing (its box), and the widget takes it back by the booking's token.
      String subject = node.platform().jdbi.withHandle(handle -> handle.createQuery(
          "SELECT subject_id FROM shopper_consents WHERE tenant_id = :t AND source = 'booking'").bind("t", tenantId)
          .mapTo(String.class).one());
      var vault = io.videoshop.persistence.SharedDatabase.get(node.system()).personalDataVault();
      java.util.function.Supplier<io.videoshop.privacy.Consents.Consent> consent = () -> io.videoshop.privacy.Consents
          .of(node.platform().jdbi, vault, java.util.List.of(subject)).get(0).consent();
      assertThat(consent.get().purposes()).contains("marketing");
      assertThat(js(shopper, "return VideoShop.withdrawConsent(['marketing'])")).isEqualTo(true);
      await().atMost(Duration.ofSeconds(20)).until(() -> consent.get().withdrawn().containsKey("marketing"));
      assertThat(consent.get().allows("call-summary-mail")).isTrue();

      // The mail's link: the store page with the signed token in its fragment.
      String token = node.platform().bookingLinks.sign(tenantId, booked[0].get("bookingId").asText());
      shopper.get("about:blank");
      shopper.get(base + "/demo#videoshop-booking=" + token);
      SearchContext linked = widget(shopper);
      until(shopper, "return window.__videoshop.view === 'booked'");
      assertThat(js(shopper, "return location.hash")).as("the token leaves the address at once").isEqualTo("");
      assertThat(linked.findElement(By.cssSelector("#booked-title")).getText()).isEqualTo("Your appointment");
      linked.findElement(By.cssSelector("#booked-cancel")).click();
      linked.findElement(By.cssSelector("#cancel-yes")).click();
      await().atMost(Duration.ofSeconds(20)).until(() -> linked.findElement(By.cssSelector("#booked")).getText()
          .contains("Your appointment is cancelled."));
      assertThat(linked.findElements(By.cssSelector("#booked-join, #booked-cancel"))).isEmpty();
      await().atMost(Duration.ofSeconds(20)).until(() -> "cancelled".equals(api.call("GET", "/api/v1/tenants/"
          + tenantId + "/bookings?agentId=" + agentId).bearer(owner).send().json().at("/items/0/status").asText()));
    } catch (Throwable failure) {
      Files.write(output.resolve("failed.png"), shopper.getScreenshotAs(OutputType.BYTES));
      for (var entry : shopper.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER)) {
        System.out.println("browser: " + entry.getMessage());
      }
      throw failure;
    } finally {
      shopper.quit();
    }
  }

  @Test
  @Order(2)
  void theWidgetThatMadeTheBookingOffersJoinYourAppointmentAtItsTimeWithoutTheMail() throws Exception {
    // Five-minute slots at no notice, joinable 15 minutes ahead; today's hours (UTC) split a few
    // minutes from now, so a slot starts then and is joinable at once.
    Map<String, Object> policy = new LinkedHashMap<>(Map.of("slotMinutes", 5, "intervalMinutes", 5,
        "bufferBeforeMinutes", 0, "bufferAfterMinutes", 0, "minNoticeMinutes", 0, "horizonDays", 30,
        "maxPerAgentPerDay", 50, "changeNoticeMinutes", 0));
    policy.put("earlyArrivalMinutes", 15);
    ApiClient.Reply set = api.call("PUT", "/api/v1/tenants/" + tenantId + "/booking-policy").bearer(owner).body(policy)
        .send();
    assertThat(set.status()).as("%s", set).isEqualTo(200);
    Instant start = Instant.now().plus(Duration.ofMinutes(3)).truncatedTo(ChronoUnit.MINUTES);
    LocalDate today = LocalDate.ofInstant(start, ZoneOffset.UTC);

    ChromeDriver shopper = Chromium.start(profile, 1280, 900);
    try {
      shopper.executeCdpCommand("Emulation.setTimezoneOverride", Map.of("timezoneId", "America/New_York"));
      // Closed today: the queue refuses a walk-in and "Book a time" is the main button.
      hoursToday(today, List.of());
      shopper.get(base + "/demo");
      SearchContext closed = widget(shopper);
      closed.findElement(By.cssSelector("#launcher")).click();
      closed.findElement(By.cssSelector("#join-name")).sendKeys("Walter Walk-in");
      closed.findElement(By.cssSelector("#join")).click();
      until(shopper, "return window.__videoshop.view === 'notice'");
      WebElement bookInstead = closed.findElement(By.cssSelector("#notice-book"));
      assertThat(bookInstead.isDisplayed()).as("offered when the queue is closed").isTrue();
      assertThat(bookInstead.getAttribute("class")).contains("primary");
      bookInstead.click();
      until(shopper, "return window.__videoshop.view === 'booking'");

      // Open again, today's hours split where the slot starts: book it.
      String split = start.atOffset(ZoneOffset.UTC).toLocalTime().toString();
      hoursToday(today, List.of(Map.of("from", "00:00", "to", split), Map.of("from", split, "to", "00:00")));
      shopper.get("about:blank");
      shopper.get(base + "/demo");
      SearchContext widget = widget(shopper);
      widget.findElement(By.cssSelector("#launcher")).click();
      widget.findElement(By.cssSelector("#book-instead")).click();
      until(shopper, "return window.__videoshop.view === 'booking'");
      String day = LocalDate.ofInstant(start, ZoneId.of("America/New_York")).toString();
      await().atMost(Duration.ofSeconds(20)).until(() ->
          !widget.findElements(By.cssSelector("#booking-days .day[data-day='" + day + "']")).isEmpty());
      widget.findElement(By.cssSelector("#booking-days .day[data-day='" + day + "']")).click();
      WebElement slot = widget.findElements(By.cssSelector("#booking-slots .slot")).stream()
          .filter(button -> Instant.parse(button.getAttribute("data-start")).equals(start)).findFirst().orElseThrow();
      slot.click();
      widget.findElement(By.cssSelector("#booking-name")).sendKeys("Jo Joiner");
      widget.findElement(By.cssSelector("#booking-email")).sendKeys("jo@buyer.test");
      widget.findElement(By.cssSelector("#booking-consent")).click();
      widget.findElement(By.cssSelector("#booking-submit")).click();
      until(shopper, "return window.__videoshop.view === 'booked'");
      String bookingId = (String) js(shopper, "return window.__videoshop.appointment");
      assertThat(bookingId).as("the widget keeps the booking it made").isNotNull();

      // Kept in the store's localStorage under the documented key, with the booking's signed token.
      String key = (String) js(shopper, "return Object.keys(localStorage).find((k) => k.endsWith(':booking'))");
      assertThat(key).startsWith("videoshop:vsw_").endsWith(":booking");
      JsonNode kept = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
          (String) js(shopper, "return localStorage.getItem(arguments[0])", key));
      assertThat(kept.get("bookingId").asText()).isEqualTo(bookingId);
      assertThat(Instant.parse(kept.get("start").asText())).isEqualTo(start);
      assertThat(node.platform().bookingLinks.verifyFor(tenantId, kept.get("token").asText()).bookingId())
          .as("its own signed token").isEqualTo(bookingId);
      assertThat(js(shopper, "return Object.keys(sessionStorage).filter((k) => k.endsWith(':booking')).length"))
          .isEqualTo(0L);

      // A fresh page of the store, no link: the launcher and the form offer to join, and it joins as the booking.
      shopper.get("about:blank");
      shopper.get(base + "/demo");
      SearchContext fresh = widget(shopper);
      await().atMost(Duration.ofSeconds(20)).until(() ->
          fresh.findElement(By.cssSelector("#launcher")).getText().contains("Join your appointment"));
      fresh.findElement(By.cssSelector("#launcher")).click();
      WebElement joinAppointment = fresh.findElement(By.cssSelector("#join-appointment"));
      assertThat(joinAppointment.getText()).isEqualTo("Join your appointment");
      Files.write(output.resolve("widget-join-appointment.png"), shopper.getScreenshotAs(OutputType.BYTES));
      joinAppointment.click();
      until(shopper, "return window.__videoshop.view === 'waiting'");
      assertThat(fresh.findElement(By.cssSelector("#waiting")).getText()).contains("Your appointment is at");
      await().atMost(Duration.ofSeconds(20)).until(() -> node.platform().calendars.<BookingCalendar.BookingReply>ask(
              tenantId, replyTo -> new BookingCalendar.GetBooking(bookingId, replyTo)).toCompletableFuture().get()
          instanceof BookingCalendar.BookingAccepted accepted && accepted.booking().arrivedAt() != null);
    } catch (Throwable failure) {
      Files.write(output.resolve("failed-join.png"), shopper.getScreenshotAs(OutputType.BYTES));
      for (var entry : shopper.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER)) {
        System.out.println("browser: " + entry.getMessage());
      }
      throw failure;
    } finally {
      shopper.quit();
    }
  }

  /** The demo tenant open all day (UTC), except {@code today}, which has {@code windows} (none: a holiday). */
  private void hoursToday(LocalDate today, List<Map<String, String>> windows) {
    ObjectNode settings = (ObjectNode) api.call("GET", "/api/v1/tenants/" + tenantId).bearer(owner).send().json()
        .get("settings").deepCopy();
    settings.set("businessHours", new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(Map.of(
        "weekly", io.videoshop.tenant.BusinessHours.always().weekly(),
        "exceptions", List.of(Map.of("date", today.toString(), "windows", windows)))));
    settings.put("timeZone", "UTC");
    ApiClient.Reply saved = api.call("PUT", "/api/v1/tenants/" + tenantId + "/settings").bearer(owner).body(settings)
        .send();
    assertThat(saved.status()).as("%s", saved).isEqualTo(200);
  }

  private static String login(ApiClient api, String email) {
    return api.call("POST", "/api/v1/auth/login").body(Map.of("email", email, "password", FirstStart.DEMO_PASSWORD))
        .send().json().get("accessToken").asText();
  }

  private static SearchContext widget(ChromeDriver driver) {
    until(driver, "return !!document.getElementById('videoshop-widget') && !!window.__videoshop");
    return driver.findElement(By.id("videoshop-widget")).getShadowRoot();
  }

  private static void until(ChromeDriver driver, String condition) {
    new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> Boolean.TRUE.equals(js(driver, condition)));
  }

  private static Object js(ChromeDriver driver, String script, Object... arguments) {
    return ((JavascriptExecutor) driver).executeScript(script, arguments);
  }
}
