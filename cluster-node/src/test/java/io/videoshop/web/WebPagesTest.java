package io.videoshop.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoshop.domain.Caller;
import io.videoshop.access.FirstStart;
import io.videoshop.access.WidgetKeys;
import io.videoshop.node.ApiClient;
import io.videoshop.node.TestNodes;
import io.videoshop.node.VideoShopNode;
import io.videoshop.persistence.TestDatabase;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The pages and scripts the node serves, checked over plain HTTP (the browser test drives them). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebPagesTest {
  private VideoShopNode node;
  private ApiClient http;
  private String demoTenantId;
  private String demoKey;

  @BeforeAll
  void start() {
    node = TestNodes.start(TestDatabase.h2InMemory(), "videoshop.profile = demo");
    http = new ApiClient(node.httpPort());
    demoTenantId = node.platform().tenants.findBySlug(FirstStart.DEMO_SLUG).orElseThrow().id();
    demoKey = liveKeys().get(0).publicKey();
  }

  @AfterAll
  void stop() throws Exception {
    node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private List<WidgetKeys.WidgetKey> liveKeys() {
    return node.platform().widgetKeys.list(demoTenantId).stream().filter(key -> key.revokedAt() == null).toList();
  }

  @Test
  void widgetScriptIsJavaScriptAnyStoreMayLoad() {
    ApiClient.Reply reply = http.call("GET", "/widget.js").send();
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.contentType()).isEqualTo("text/javascript; charset=UTF-8");
    assertThat(reply.body()).contains("attachShadow", "videoshop:add-to-cart", "/ws/widget");
    assertThat(reply.headers().firstValue("Cross-Origin-Resource-Policy")).hasValue("cross-origin");
    assertThat(reply.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");

    ApiClient.Reply client = http.call("GET", "/web/client.js").send();
    assertThat(client.status()).isEqualTo(200);
    assertThat(client.contentType()).isEqualTo("text/javascript; charset=UTF-8");
    // widget.js imports it as a module from the store's page: a cross-origin request.
    assertThat(client.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
  }

  @Test
  void theAdminAppHasAStrictPolicyAndItsChartsComeFromTheNode() {
    ApiClient.Reply page = http.call("GET", "/admin").send();
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains("/web/admin.js", "/web/vendor/uplot.css");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'")
        .doesNotContain("unsafe-inline", "https:");
    assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");

    ApiClient.Reply uplot = http.call("GET", "/web/vendor/uplot.js").send();
    assertThat(uplot.status()).isEqualTo(200);
    assertThat(uplot.contentType()).isEqualTo("text/javascript; charset=UTF-8");
    assertThat(uplot.body()).contains("export { uPlot as default }");
    assertThat(http.call("GET", "/web/vendor/uplot.css").send().contentType()).isEqualTo("text/css; charset=UTF-8");
    // Only the two named files: nothing else of the classpath is reachable under /web/vendor.
    assertThat(http.call("GET", "/web/vendor/uPlot.esm.js").send().status()).isEqualTo(404);
    assertThat(http.call("GET", "/web/vendor/..%2F..%2Fapplication.conf").send().status()).isEqualTo(404);
    assertThat(http.call("GET", "/web/admin.js").send().body()).contains("import uPlot from './vendor/uplot.js'");
  }

  @Test
  void unchangedFilesAreNotSentAgain() {
    ApiClient.Reply first = http.call("GET", "/widget.js").send();
    String etag = first.headers().firstValue("ETag").orElseThrow();
    ApiClient.Reply again = http.call("GET", "/widget.js").header("If-None-Match", etag).send();
    assertThat(again.status()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
  }

  @Test
  void stylesheetsAndImagesHaveTheirContentTypes() {
    assertThat(http.call("GET", "/web/console.css").send().contentType()).isEqualTo("text/css; charset=UTF-8");
    assertThat(http.call("GET", "/web/logo.svg").send().contentType()).startsWith("image/svg+xml");
  }

  @Test
  void consoleIsAPageThatOnlyRunsItsOwnScripts() {
    ApiClient.Reply reply = http.call("GET", "/console").send();
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.contentType()).isEqualTo("text/html; charset=UTF-8");
    assertThat(reply.body()).contains("/web/console.js", "id=\"sign-in-form\"");
    assertThat(reply.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("script-src 'self'", "frame-ancestors 'none'");
  }

  @Test
  void demoStoreEmbedsTheDemoTenantsWidgetKey() {
    ApiClient.Reply reply = http.call("GET", "/demo").send();
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.contentType()).isEqualTo("text/html; charset=UTF-8");
    assertThat(reply.body()).contains("<script src=\"/widget.js\" data-key=\"" + demoKey + "\"")
        .doesNotContain("{{WIDGET_KEY}}");
  }

  @Test
  void widgetStatusExplainsARefusedSocket() {
    String origin = "http://127.0.0.1:" + node.httpPort();
    assertThat(http.call("GET", "/widget/status?key=" + demoKey + "&origin=" + origin).send().json().path("allowed")
        .asBoolean()).isTrue();
    assertThat(http.call("GET", "/widget/status?key=" + demoKey).header("Origin", "https://elsewhere.example").send()
        .json().path("code").asText()).isEqualTo("origin_not_allowed");
    assertThat(http.call("GET", "/widget/status?key=vsw_nope&origin=" + origin).send().json().path("code").asText())
        .isEqualTo("widget_key_invalid");
    assertThat(http.call("GET", "/widget/status").send().json().path("code").asText()).isEqualTo("widget_key_missing");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/web/../application.conf",
      "/web/%2e%2e/application.conf",
      "/web/%2E%2E%2Fapplication.conf",
      "/web/..%2fapplication.conf",
      "/web/..%5capplication.conf",
      "/web/%2e%2e%2f%2e%2e%2fapplication.conf",
      "/web/../../../../etc/passwd",
      "/web/%2fetc%2fpasswd",
      "/web/application.conf",
      "/web/logback.xml",
      "/web/demo.html",
      "/web/.hidden.js",
      "/widget.js/../application.conf",
      "/web/web/client.js",
      "/web/client.js%00.css",
  })
  void nothingOutsideTheWebFolderIsServed(String path) throws Exception {
    // A raw request: an HTTP client library might tidy the path up before sending it.
    String response = rawGet(path);
    assertThat(response).as(path).matches("(?s)HTTP/1\\.1 (400|404) .*");
    String body = response.substring(response.indexOf("\r\n\r\n") + 4);
    assertThat(body).as(path).doesNotContain("pekko", "include \"", "root:", "<configuration", "{{WIDGET_KEY}}");
  }

  @Test
  void aProductionNodeHasNoDemoStoreAndSaysHowToGetOne() throws Exception {
    VideoShopNode production = TestNodes.start(TestDatabase.h2InMemory(), "videoshop.profile = production");
    try {
      ApiClient.Reply reply = new ApiClient(production.httpPort()).call("GET", "/demo").send();
      assertThat(reply.status()).isEqualTo(404);
      assertThat(reply.contentType()).isEqualTo("text/html; charset=UTF-8");
      assertThat(reply.body()).contains("There is no demo store on this node", "VIDEOSHOP_PROFILE=demo");
      assertThat(new ApiClient(production.httpPort()).call("GET", "/console").send().status()).isEqualTo(200);
    } finally {
      production.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void withoutALiveDemoKeyTheDemoPageSaysSo() {
    for (WidgetKeys.WidgetKey key : liveKeys()) {
      node.platform().widgetKeys.revoke(Caller.system("test"), demoTenantId, key.id());
    }
    ApiClient.Reply reply = http.call("GET", "/demo").send();
    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.contentType()).isEqualTo("text/html; charset=UTF-8");
    assertThat(reply.body()).contains("There is no demo store on this node", "bin/videoshop start")
        .doesNotContain("widget.js");
  }

  private String rawGet(String path) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", node.httpPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }
}
