package io.videoshop.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NotificationSettingsTest {

  private static VideoShopSettings settingsWith(String hocon) {
    Config config = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()).resolve();
    return VideoShopSettings.from(config);
  }

  @Test
  void theDemoWritesMailToFilesAndProductionSpeaksSmtpWithStarttls() {
    NotificationSettings production = settingsWith("").notifications();
    assertThat(production.mail().transport()).isEqualTo(NotificationSettings.Transport.SMTP);
    assertThat(production.mail().smtp().tls()).isEqualTo(NotificationSettings.Tls.STARTTLS);
    assertThat(production.mail().smtp().port()).isEqualTo(587);
    assertThat(production.outbox().lease()).isEqualTo(Duration.ofMinutes(2));
    assertThat(settingsWith("videoshop.profile = demo").notifications().mail().transport())
        .isEqualTo(NotificationSettings.Transport.FILE);
    assertThat(settingsWith("videoshop.profile = demo\nvideoshop.notifications.mail.transport = smtp")
        .notifications().mail().transport()).isEqualTo(NotificationSettings.Transport.SMTP);
  }

  @Test
  void smtpIsSetThroughTheEnvironmentAndItsPasswordIsNeverPrinted() {
    Config env = ConfigFactory.parseMap(Map.of("VIDEOSHOP_SMTP_HOST", "smtp.example.org", "VIDEOSHOP_SMTP_PORT", "465",
        "VIDEOSHOP_SMTP_TLS", "implicit", "VIDEOSHOP_SMTP_USER", "mailer", "VIDEOSHOP_SMTP_PASSWORD", "hunter2-secret"));
    NotificationSettings settings = VideoShopSettings.from(env.withFallback(ConfigFactory.defaultReferenceUnresolved())
        .resolve()).notifications();
    assertThat(settings.mail().smtp().host()).isEqualTo("smtp.example.org");
    assertThat(settings.mail().smtp().tls()).isEqualTo(NotificationSettings.Tls.IMPLICIT);
    assertThat(settings.mail().smtp().password()).isEqualTo("hunter2-secret");
    assertThat(settings.toString()).doesNotContain("hunter2-secret");
  }

  @Test
  void wrongMailSettingsStopTheStartNamingEachKey() {
    assertThatThrownBy(() -> settingsWith("""
        videoshop.notifications.mail { smtp { tls = ssl, user = someone }, from-address = nobody, public-base-url = "ftp://x" }
        videoshop.notifications.outbox { backoff-min = 1h, backoff-max = 1m, workers = 0 }
        videoshop.auth.password-reset.max-per-account = 0
        """))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("videoshop.notifications.mail.smtp.tls: must be one of [starttls, implicit, none]")
        .hasMessageContaining("videoshop.notifications.mail.smtp.password: is required")
        .hasMessageContaining("videoshop.notifications.mail.from-address")
        .hasMessageContaining("videoshop.notifications.mail.public-base-url")
        .hasMessageContaining("videoshop.notifications.outbox.backoff-max")
        .hasMessageContaining("videoshop.notifications.outbox.workers")
        .hasMessageContaining("videoshop.auth.password-reset.max-per-account");
  }
}
