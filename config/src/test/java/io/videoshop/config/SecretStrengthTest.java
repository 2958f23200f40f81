package io.videoshop.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class SecretStrengthTest {
  /** What k8s/02-database.yaml shipped as the JWT secret until the manifests stopped carrying secrets. */
  private static final String SHIPPED_PLACEHOLDER = "change-me-to-32-or-more-random-characters";

  private static VideoShopSettings settingsWith(String hocon) {
    return VideoShopSettings.from(ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference())
        .resolve());
  }

  @Test
  void productionRefusesToStartWithThePlaceholderTheManifestsShippedWithoutPrintingIt() {
    assertThatThrownBy(() -> settingsWith("videoshop.auth.jwt-secret = \"" + SHIPPED_PLACEHOLDER + "\""))
        .hasMessageContaining("videoshop.auth.jwt-secret").hasMessageContaining("placeholder")
        .hasMessageNotContaining(SHIPPED_PLACEHOLDER);
    // The demo profile is for trying things out: it starts.
    assertThat(settingsWith("videoshop { profile = demo, auth.jwt-secret = \"" + SHIPPED_PLACEHOLDER + "\" }")
        .auth().jwtSecret()).isEqualTo(SHIPPED_PLACEHOLDER);
  }

  @Test
  void lowEntropySecretsAreRefusedEvenWhenLongEnough() {
    for (String weak : new String[] {"test-secret-test-secret-test-secret-0123", "0123456789abcdef0123456789abcdef",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", "qwqwqwqwqwqwqwqwqwqwerererererererer"}) {
      assertThat(SecretStrength.weakness(weak)).as(weak).isPresent();
    }
    assertThatThrownBy(() -> settingsWith("videoshop.auth.jwt-previous-secrets = \"ok-and-then-"
        + "0123456789abcdef0123456789abcdef\"")).hasMessageContaining("videoshop.auth.jwt-previous-secrets");
    assertThatThrownBy(() -> settingsWith("videoshop.calls.ice { turn-urls = \"turn:turn.example.org\", "
        + "turn-secret = \"change-me-change-me-change-me-change-me\" }"))
        .hasMessageContaining("videoshop.calls.ice.turn-secret");
  }

  @Test
  void generatedSecretsAreAccepted() {
    // openssl rand -hex 16 can give this: its character counts estimate at about 96 bits, which the
    // first threshold refused (seen in a CI run).
    assertThat(SecretStrength.weakness("8ac9ed388c8cb8d32293f828d92d8c9c")).isEmpty();
    // openssl rand -base64 48 gave this one: "todo" inside a word of random letters is no placeholder.
    assertThat(SecretStrength.weakness("kQLTYbfJubchEBgzyBmqdaI8kk0MooZ365M/Ig94ObUS5am1todOfHWXYUunjsiL")).isEmpty();
    assertThat(SecretStrength.weakness("TODO-put-a-real-Qx7v9Kp2Lm4Rt8Wz3Ny6Bc1Df5Gh0Js")).as("a short placeholder as a word")
        .isPresent();
    SecureRandom random = new SecureRandom();
    for (int i = 0; i < 2_000; i++) {
      byte[] bytes = new byte[i % 2 == 0 ? 48 : 16];
      random.nextBytes(bytes);
      String secret = i % 2 == 0 ? Base64.getEncoder().encodeToString(bytes) : HexFormat.of().formatHex(bytes);
      assertThat(SecretStrength.weakness(secret)).as(secret).isEmpty();
    }
    String generated = Base64.getEncoder().encodeToString(new byte[] {12, -3, 99, 41, 7, -88, 120, 5, 66, -1, 23, 54,
        -77, 31, 90, -45, 8, 17, -120, 64, 3, 101, -60, 29});
    assertThat(settingsWith("videoshop.auth.jwt-secret = \"" + generated + "\"").auth().jwtSecret())
        .isEqualTo(generated);
  }
}
