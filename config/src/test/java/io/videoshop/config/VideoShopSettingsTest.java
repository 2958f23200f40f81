package io.videoshop.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class VideoShopSettingsTest {

  private static VideoShopSettings settingsWith(String hocon) {
    Config config = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()).resolve();
    return VideoShopSettings.from(config);
  }

  @Test
  void defaultsStartASingleNodeOnEmbeddedH2() {
    VideoShopSettings settings = settingsWith("");
    assertThat(settings.http().port()).isEqualTo(8080);
    assertThat(settings.database().kind()).isEqualTo(DatabaseSettings.Kind.H2);
    assertThat(settings.database().url()).startsWith("jdbc:h2:file:").contains("/data/videoshop")
        .endsWith(";DATABASE_TO_UPPER=false");
    assertThat(settings.database().poolSize()).isEqualTo(10);
    assertThat(settings.database().connectionTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(settings.cluster().formsClusterOfItsOwn()).isTrue();
    assertThat(settings.log().format()).isEqualTo(LogSettings.Format.TEXT);
    assertThat(settings.profile()).isEqualTo(VideoShopSettings.Profile.PRODUCTION);
  }

  @Test
  void postgresIsChosenByConfigurationAlone() {
    VideoShopSettings settings = settingsWith("""
        videoshop.database { kind = postgres, url = "jdbc:postgresql://db:5432/shop", user = shop, password = secret }
        """);
    assertThat(settings.database().kind()).isEqualTo(DatabaseSettings.Kind.POSTGRES);
    assertThat(settings.database().url()).isEqualTo("jdbc:postgresql://db:5432/shop");
    assertThat(settings.database().toString()).doesNotContain("secret");
  }

  @Test
  void environmentVariablesOverrideTheDefaults() {
    // reference.conf declares `port = ${?VIDEOSHOP_HTTP_PORT}`; HOCON looks such a name up in the
    // config first and in the process environment after, so root keys stand in for the environment.
    Config env = ConfigFactory.parseMap(java.util.Map.of("VIDEOSHOP_HTTP_PORT", "9090", "VIDEOSHOP_DB", "postgres",
        "VIDEOSHOP_DB_URL", "jdbc:postgresql://x/y"));
    Config config = env.withFallback(ConfigFactory.defaultReferenceUnresolved()).resolve();
    VideoShopSettings settings = VideoShopSettings.from(config);
    assertThat(settings.http().port()).isEqualTo(9090);
    assertThat(settings.database().kind()).isEqualTo(DatabaseSettings.Kind.POSTGRES);
  }

  @Test
  void wrongValuesStopTheStartNamingEveryKey() {
    assertThatThrownBy(() -> settingsWith("""
        videoshop.http.port = 70000
        videoshop.database.kind = oracle
        videoshop.database.pool-size = many
        videoshop.log.format = xml
        videoshop.cluster.seed-nodes = "node-a"
        """))
        .isInstanceOf(SettingsException.class)
        .satisfies(e -> assertThat(((SettingsException) e).problems()).containsExactlyInAnyOrder(
            "videoshop.http.port: must be between 0 and 65535, was 70000",
            "videoshop.database.kind: must be one of [h2, postgres], was \"oracle\"",
            "videoshop.database.pool-size: has type STRING rather than NUMBER",
            "videoshop.log.format: must be one of [text, json], was \"xml\"",
            "videoshop.cluster.seed-nodes: each seed must be host:port, was \"node-a\""));
  }

  @Test
  void postgresWithoutUrlIsRejectedWithTheVariableToSet() {
    assertThatThrownBy(() -> settingsWith("videoshop.database.kind = postgres"))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("videoshop.database.url: is required")
        .hasMessageContaining("VIDEOSHOP_DB_URL");
  }

  @Test
  void aMissingKeyIsNamed() {
    Config config = ConfigFactory.defaultReference().withoutPath("videoshop.http.port");
    assertThatThrownBy(() -> VideoShopSettings.from(config))
        .hasMessageContaining("videoshop.http.port: is missing");
  }

  @Test
  void durationsMustBePositive() {
    assertThatThrownBy(() -> settingsWith("videoshop.database.connection-timeout = 0s"))
        .hasMessageContaining("videoshop.database.connection-timeout: must be a positive duration");
  }
}
