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
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
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
 * shopper cancels it, without an account. Screenshots of the slots and the confirmation go to
 * target/test-output/booking/ (docs/scheduling.md shows one).
 */
class BookingInBrowserTest {

  @Test
  void aShopperBooksATimeInTheWidgetSeesBothZonesAndCancelsByTheLink() throws Exception {
    Chromium.requireInstalled();
    Path profile = Chromium.newProfile();
    Path output = Path.of(System.getenv().getOrDefault("VIDEOSHOP_TEST_REPORTS", "target/test-output"), "booking");
    Files.createDirectories(output);
    try (TestDatabase database = TestDatabase.postgres()) {
      VideoShopNode node = TestNodes.start(database, "videoshop.profile = demo");
      ChromeDriver shopper = Chromium.start(profile, 1280, 900);
      try {
        String base = "http://127.0.0.1:" + node.httpPort();
        ApiClient api = new ApiClient(node.httpPort());
        String tenantId = node.platform().tenants.findBySlug(FirstStart.DEMO_SLUG).orElseThrow().id();
        String owner = login(api, FirstStart.DEMO_PEOPLE.get(0));
        String agentId = api.call("POST", "/api/v1/auth/login").body(Map.of("email", FirstStart.DEMO_PEOPLE.get(1),
            "password", FirstStart.DEMO_PASSWORD)).send().json().at("/user/id").asText();
        assertThat(api.call("PUT", "/api/v1/tenants/" + tenantId + "/agents/" + agentId + "/working-hours")
            .bearer(owner).body(Map.of("takesBookings", true)).send().status()).isEqualTo(200);

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
        node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
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

  private static Object js(ChromeDriver driver, String script) {
    return ((JavascriptExecutor) driver).executeScript(script);
  }
}
