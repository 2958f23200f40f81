package io.videoshop.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {
  // The example of the Standard Webhooks specification (spec/standard-webhooks.md, "Signature scheme").
  static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  static final long SPEC_TIMESTAMP = 1614265330L;
  static final String SPEC_BODY = "{\"test\": 2432232314}";
  static final String SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  @Test
  void signsTheSpecificationsExampleToItsPublishedSignature() {
    assertThat(WebhookSignature.sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)).isEqualTo(SPEC_SIGNATURE);
    assertThat(WebhookSignature.verify(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY, SPEC_SIGNATURE)).isTrue();
  }

  @Test
  void aChangedBodyIdOrTimestampNoLongerVerifies() {
    assertThat(WebhookSignature.verify(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, "{\"test\": 2432232315}", SPEC_SIGNATURE))
        .isFalse();
    assertThat(WebhookSignature.verify(SPEC_SECRET, SPEC_ID + "x", SPEC_TIMESTAMP, SPEC_BODY, SPEC_SIGNATURE)).isFalse();
    assertThat(WebhookSignature.verify(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP + 1, SPEC_BODY, SPEC_SIGNATURE)).isFalse();
  }

  @Test
  void duringARotationBothSecretsSignSpaceSeparatedAndEitherVerifies() {
    String fresh = WebhookSignature.newSecret();
    String header = WebhookSignature.header(List.of(fresh, SPEC_SECRET), SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY);
    assertThat(header.split(" ")).hasSize(2).endsWith(SPEC_SIGNATURE);
    assertThat(WebhookSignature.verify(fresh, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY, header)).isTrue();
    assertThat(WebhookSignature.verify(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY, header)).isTrue();
  }

  @Test
  void newSecretsAreStandardWebhooksSecretsOf32RandomBytes() {
    String one = WebhookSignature.newSecret();
    assertThat(one).startsWith("whsec_").isNotEqualTo(WebhookSignature.newSecret());
    assertThat(Base64.getDecoder().decode(one.substring(6))).hasSize(32);
    assertThatThrownBy(() -> WebhookSignature.keyOf("whsec_" + Base64.getEncoder().encodeToString(new byte[8])))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WebhookSignature.keyOf("vsk_abc")).isInstanceOf(IllegalArgumentException.class);
  }
}
