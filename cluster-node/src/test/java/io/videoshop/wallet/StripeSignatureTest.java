package io.videoshop.wallet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videoshop.domain.DomainError;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Stripe's signing scheme on fixed inputs. */
class StripeSignatureTest {
  private static final String SECRET = "whsec_test_secret_0123456789";
  private static final String PAYLOAD = "{\"id\":\"evt_1\",\"type\":\"payment_intent.succeeded\"}";
  private static final Instant NOW = Instant.ofEpochSecond(1_800_000_000L);
  private static final Duration TOLERANCE = Duration.ofMinutes(5);

  private static void verify(String header) {
    StripeSignature.verify(header, PAYLOAD, SECRET, NOW, TOLERANCE);
  }

  private static String code(String header) {
    try {
      verify(header);
      return "accepted";
    } catch (DomainError e) {
      return e.code();
    }
  }

  @Test
  void aSignatureOverTheTimestampAndTheExactPayloadIsAccepted() {
    assertThatCode(() -> verify(StripeSignature.header(PAYLOAD, SECRET, NOW.getEpochSecond()))).doesNotThrowAnyException();
    // A known vector, computed independently: printf '1800000000.<payload>' | openssl dgst -sha256 -hmac <secret>
    assertThatCode(() -> verify("t=1800000000,v1=3e1082ac92fb787e6a8ca7561d8ed12b72cee60dbeeed23fcdb32d7674d0ecbf"))
        .doesNotThrowAnyException();
  }

  @Test
  void oneMatchingSignatureAmongSeveralIsEnoughWhileASecretRolls() {
    String good = StripeSignature.header(PAYLOAD, SECRET, NOW.getEpochSecond());
    String other = StripeSignature.header(PAYLOAD, "whsec_old_secret_000000000", NOW.getEpochSecond());
    assertThatCode(() -> verify(other + ",v1=" + good.substring(good.indexOf("v1=") + 3) + ",v0=abc"))
        .doesNotThrowAnyException();
  }

  @Test
  void wrongMissingOrStaleSignaturesAreRefusedWithStableCodes() {
    long t = NOW.getEpochSecond();
    assertThat(code(null)).isEqualTo("missing_signature");
    assertThat(code("")).isEqualTo("missing_signature");
    assertThat(code("v1=00")).isEqualTo("invalid_signature");
    assertThat(code("t=abc,v1=00")).isEqualTo("invalid_signature");
    assertThat(code("t=" + t + ",v1=zz")).isEqualTo("invalid_signature");
    assertThat(code(StripeSignature.header(PAYLOAD + " ", SECRET, t)))
        .isEqualTo("invalid_signature");
    assertThat(code(StripeSignature.header(PAYLOAD, SECRET, t - 301)))
        .isEqualTo("stale_signature");
    assertThat(code(StripeSignature.header(PAYLOAD, SECRET, t + 301)))
        .isEqualTo("stale_signature");
    assertThat(code(StripeSignature.header(PAYLOAD, SECRET, t - 299)))
        .isEqualTo("accepted");
    assertThatThrownBy(() -> verify("t=" + t)).isInstanceOf(DomainError.class);
  }
}
