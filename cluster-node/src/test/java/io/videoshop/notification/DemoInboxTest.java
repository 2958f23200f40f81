package io.videoshop.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.videoshop.access.FirstStart;
import io.videoshop.node.ApiClient;
import io.videoshop.node.MailFolder;
import io.videoshop.node.TestNodes;
import io.videoshop.node.VideoShopNode;
import io.videoshop.persistence.TestDatabase;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The README's "Try it": with the demo profile and nothing else set, mail lands as .eml files a newcomer can read. */
class DemoInboxTest {

  @Test
  void theDemoWritesMailAsFilesWithoutAnyMailSettings() throws Exception {
    MailFolder folder = new MailFolder(Files.createTempDirectory("demo-mail").resolve("mail"));
    VideoShopNode node = TestNodes.start(TestDatabase.h2InMemory(), "videoshop.profile = demo",
        "videoshop.notifications.mail.file-directory = \"" + folder.directory.toString().replace("\\", "/") + "\"");
    try {
      ApiClient api = new ApiClient(node.httpPort());
      String agent = FirstStart.DEMO_PEOPLE.get(1);
      assertThat(api.call("POST", "/api/v1/auth/password-reset").body(Map.of("email", agent)).send().status())
          .isEqualTo(202);
      String token = folder.awaitToken(agent, "rst_");
      assertThat(api.call("POST", "/api/v1/auth/password-reset/confirm")
          .body(Map.of("token", token, "password", "a demo password 2")).send().status()).isEqualTo(204);
      await().atMost(Duration.ofSeconds(30)).until(() -> folder.mails().stream()
          .anyMatch(mail -> "Your password was changed".equals(mail.getSubject())));
    } finally {
      node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
