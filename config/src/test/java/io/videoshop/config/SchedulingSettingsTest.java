package io.videoshop.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SchedulingSettingsTest {

  private static VideoShopSettings settingsWith(String hocon) {
    return VideoShopSettings.from(ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()).resolve());
  }

  @Test
  void defaultsFromReferenceConf() {
    SchedulingSettings scheduling = settingsWith("").scheduling();
    assertThat(scheduling).isEqualTo(new SchedulingSettings(Duration.ofSeconds(5), Duration.ofDays(60), 20, 60, 200, 1200));
  }

  @Test
  void badValuesAndUnknownKeysAreNamed() {
    assertThatThrownBy(() -> settingsWith("""
        videoshop.scheduling { link-ttl = 0s, public-limits { per-ip-burst = 0 }, per-ip-burst = 5 }
        """))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("videoshop.scheduling.link-ttl")
        .hasMessageContaining("videoshop.scheduling.public-limits.per-ip-burst: must be between 1 and 100000")
        .hasMessageContaining("videoshop.scheduling.per-ip-burst: is not a setting");
  }
}
