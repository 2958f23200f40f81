package io.videoshop.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.videoshop.domain.Caller;
import io.videoshop.access.FirstStart;
import io.videoshop.access.WidgetKeys;
import io.videoshop.tenant.WidgetAppearance;
import io.videoshop.node.TestNodes;
import io.videoshop.node.VideoShopNode;
import io.videoshop.persistence.TestDatabase;
import io.videoshop.privacy.Consents;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.junit.jupiter.api.Test;

/**
 * A store whose tenant asks for consent before storage (and then a tag with data-consent="required"): the widget keeps its place in memory only, puts
 * it in sessionStorage once the store's banner calls VideoShop.consent({storage: true}), and
 * removes it again on {storage: false}. The join records the purposes ticked (the contact box, the
 * marketing box) under the tag's policy version, and VideoShop.withdrawConsent takes them back.
 * In Chromium, on the store's own origin.
 */
class WidgetConsentInBrowserTest {

  @Test
  void theWidgetStoresNothingUntilTheStoreGivesConsent() throws Exception {
    Chromium.requireInstalled();
    Path profile = Chromium.newProfile();
    HttpServer store = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    try (TestDatabase database = TestDatabase.postgres()) {
      VideoShopNode node = TestNodes.start(database, "videoshop.profile = demo");
      ChromeDriver shopper = Chromium.start(profile, 1280, 860);
      try {
        String base = "http://127.0.0.1:" + node.httpPort();
        String origin = "http://127.0.0.1:" + store.getAddress().getPort();
        String tenantId = node.platform().tenants.findBySlug(FirstStart.DEMO_SLUG).orElseThrow().id();
        // The tenant's setting asks for consent before storage (the tag has no data-consent of its own).
        node.platform().tenants.changeWidgetAppearance(Caller.system("test"), tenantId,
            new WidgetAppearance(null, null, null, null, null, true));
        String key = node.platform().widgetKeys.create(Caller.system("test"), tenantId,
            new WidgetKeys.CreateWidgetKey("consenting store", List.of(origin))).publicKey();
        String[] consentAttribute = {""};
        store.createContext("/", exchange -> {
          byte[] page = ("<!doctype html><html><head><title>A store</title></head><body><h1>A store</h1>"
              + "<script src=\"" + base + "/widget.js\" data-key=\"" + key + "\"" + consentAttribute[0] + " "
              + "data-policy-version=\"store-policy-7\"></script>"
              + "</body></html>").getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
          exchange.sendResponseHeaders(200, page.length);
          exchange.getResponseBody().write(page);
          exchange.close();
        });
        store.start();
        shopper.get(origin + "/");
        SearchContext widget = widget(shopper);
        widget.findElement(By.cssSelector("#launcher")).click();
        widget.findElement(By.cssSelector("#join-name")).sendKeys("Consent Visitor");
        widget.findElement(By.cssSelector("#join-email")).sendKeys("visitor@shopper.test");
        // The contact box and the widget's own marketing box, each a purpose of the consent.
        widget.findElement(By.cssSelector("#join-consent")).click();
        assertThat(widget.findElement(By.cssSelector("#join-marketing")).isSelected()).as("never ticked for them").isFalse();
        widget.findElement(By.cssSelector("#join-marketing")).click();
        widget.findElement(By.cssSelector("#join")).click();
        until(shopper, "return window.__videoshop.view === 'waiting'");
        assertThat(js(shopper, "return sessionStorage.length")).as("nothing stored before consent").isEqualTo(0L);
        assertThat(js(shopper, "return Object.keys(localStorage).length + document.cookie.length")).isEqualTo(0L);

        assertThat(js(shopper, "return VideoShop.consent({storage: true}).storage")).isEqualTo(true);
        String stored = (String) js(shopper, "return sessionStorage.getItem('videoshop:" + key + ":ticket')");
        assertThat(stored).as("the place, once allowed").contains("ticketId").contains("resumeToken");

        assertThat(js(shopper, "return VideoShop.consent({storage: false}).storage")).isEqualTo(false);
        assertThat(js(shopper, "return sessionStorage.length")).as("withdrawn: removed").isEqualTo(0L);
        assertThat(js(shopper, "return window.__videoshop.view")).as("the shopper keeps the place").isEqualTo("waiting");

        // What the join agreed to, and withdrawing it in the widget as easily: marketing first, then the rest.
        Consents.Consent given = consentOf(node, tenantId);
        assertThat(given.purposes()).containsExactly(Consents.CALL, Consents.CALL_SUMMARY_MAIL, Consents.MARKETING);
        assertThat(given.policyVersion()).isEqualTo("store-policy-7");
        assertThat(given.withdrawn()).isEmpty();
        assertThat(js(shopper, "return VideoShop.withdrawConsent(['marketing'])")).isEqualTo(true);
        await().atMost(Duration.ofSeconds(20)).until(() -> consentOf(node, tenantId).withdrawn().containsKey(Consents.MARKETING));
        assertThat(consentOf(node, tenantId).allows(Consents.CALL_SUMMARY_MAIL)).as("only what was named").isTrue();
        assertThat(js(shopper, "return VideoShop.withdrawConsent()")).isEqualTo(true);
        await().atMost(Duration.ofSeconds(20)).until(() -> !consentOf(node, tenantId).allows(Consents.CALL_SUMMARY_MAIL));
        assertThat(js(shopper, "return window.__videoshop.view")).as("still waiting for the call").isEqualTo("waiting");

        // Without the tenant's setting, the tag's data-consent="required" asks the same.
        widget.findElement(By.cssSelector("#leave")).click();
        until(shopper, "return window.__videoshop.view === 'form'");
        node.platform().tenants.changeWidgetAppearance(Caller.system("test"), tenantId, WidgetAppearance.defaults());
        assertThat(node.platform().widgetKeys.appearance(key).orElseThrow().consentBeforeStorage()).isNull();
        consentAttribute[0] = " data-consent=\"required\"";
        shopper.get(origin + "/?attribute");
        SearchContext tagged = widget(shopper);
        tagged.findElement(By.cssSelector("#launcher")).click();
        tagged.findElement(By.cssSelector("#join-name")).sendKeys("Tag Visitor");
        tagged.findElement(By.cssSelector("#join")).click();
        until(shopper, "return window.__videoshop.view === 'waiting'");
        assertThat(js(shopper, "return sessionStorage.length")).as("nothing stored before consent").isEqualTo(0L);
      } catch (Throwable failure) {
        for (var entry : shopper.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER)) {
          System.out.println("browser: " + entry.getMessage());
        }
        throw failure;
      } finally {
        shopper.quit();
        store.stop(0);
        node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }

  /** The tenant's one consent record, decrypted. */
  private static Consents.Consent consentOf(VideoShopNode node, String tenantId) {
    var jdbi = node.platform().jdbi;
    List<String> subjects = jdbi.withHandle(handle -> handle.createQuery(
        "SELECT subject_id FROM shopper_consents WHERE tenant_id = :t").bind("t", tenantId).mapTo(String.class).list());
    List<Consents.Recorded> recorded = Consents.of(jdbi,
        io.videoshop.persistence.SharedDatabase.get(node.system()).personalDataVault(), subjects);
    assertThat(recorded).hasSize(1);
    return recorded.get(0).consent();
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
