package io.videoshop.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.api.Test;

/** RFC 8291's encryption against its Appendix A test vector, and the browser's side of it. */
class PushEncryptionTest {
  // RFC 8291 Appendix A, line breaks removed.
  private static final String PLAINTEXT = "When I grow up, I want to be a watermelon";
  private static final String AS_PUBLIC =
      "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
  private static final String AS_PRIVATE = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
  private static final String UA_PUBLIC =
      "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
  private static final String UA_PRIVATE = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
  private static final String AUTH = "BTBZMqHH6r4Tts7J_aSIgg";
  private static final String SALT = "DGv6ra1nlYgDCS1FRnbzlw";
  private static final String HEADER =
      "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
  private static final String CIPHERTEXT = "8pfeW0KbunFT06SuDKoJH9Ql87S1QUrdirN6GcG7sFz1y1sqLgVi1VhjVkHsUoEsbI_0LpXMuGvnzQ";
  private static final String MESSAGE = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYL"
      + "ocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

  private static byte[] b64(String text) {
    return Base64.getUrlDecoder().decode(text);
  }

  private static KeyPair sender() {
    return new KeyPair(PushEncryption.publicKey(b64(AS_PUBLIC)), PushEncryption.privateKey(b64(AS_PRIVATE)));
  }

  @Test
  void encryptsTheAppendixAMessageByteForByte() {
    byte[] body = PushEncryption.encrypt(PLAINTEXT.getBytes(StandardCharsets.UTF_8), b64(UA_PUBLIC), b64(AUTH),
        sender(), b64(SALT));

    assertThat(Base64.getUrlEncoder().withoutPadding().encodeToString(body)).isEqualTo(MESSAGE);
    assertThat(Arrays.copyOf(body, b64(HEADER).length)).isEqualTo(b64(HEADER));
    assertThat(Arrays.copyOfRange(body, b64(HEADER).length, body.length)).isEqualTo(b64(CIPHERTEXT));
  }

  @Test
  void theBrowserDecryptsTheAppendixAMessage() throws Exception {
    BrowserPushKeys browser = new BrowserPushKeys(PushEncryption.publicKey(b64(UA_PUBLIC)),
        PushEncryption.privateKey(b64(UA_PRIVATE)), b64(AUTH));

    assertThat(new String(browser.decrypt(b64(MESSAGE)), StandardCharsets.UTF_8)).isEqualTo(PLAINTEXT);
  }

  @Test
  void eachMessageHasItsOwnSaltAndSenderKeyAndOnlyItsBrowserReadsIt() throws Exception {
    BrowserPushKeys browser = BrowserPushKeys.generate();
    byte[] plaintext = "{\"kind\":\"offer\"}".getBytes(StandardCharsets.UTF_8);
    byte[] first = PushEncryption.encrypt(plaintext, PushEncryption.encode(browser.publicKey), browser.auth);
    byte[] second = PushEncryption.encrypt(plaintext, PushEncryption.encode(browser.publicKey), browser.auth);

    assertThat(Arrays.copyOf(first, 16)).isNotEqualTo(Arrays.copyOf(second, 16));
    assertThat(Arrays.copyOfRange(first, 21, 86)).isNotEqualTo(Arrays.copyOfRange(second, 21, 86));
    assertThat(browser.decrypt(first)).isEqualTo(plaintext);
    assertThat(browser.decrypt(second)).isEqualTo(plaintext);

    BrowserPushKeys other = new BrowserPushKeys(browser.publicKey, BrowserPushKeys.generate().privateKey, browser.auth);
    assertThatThrownBy(() -> other.decrypt(first)).isInstanceOf(AEADBadTagException.class);
    BrowserPushKeys wrongSecret = new BrowserPushKeys(browser.publicKey, browser.privateKey, new byte[16]);
    assertThatThrownBy(() -> wrongSecret.decrypt(first)).isInstanceOf(AEADBadTagException.class);
  }

  @Test
  void keysRoundTripThroughTheirPushApiEncodings() {
    KeyPair pair = PushEncryption.newKeyPair();
    byte[] point = PushEncryption.encode((ECPublicKey) pair.getPublic());
    byte[] scalar = PushEncryption.encode((ECPrivateKey) pair.getPrivate());

    assertThat(point).hasSize(65).startsWith(4);
    assertThat(PushEncryption.publicKey(point).getW()).isEqualTo(((ECPublicKey) pair.getPublic()).getW());
    assertThat(PushEncryption.privateKey(scalar).getS()).isEqualTo(((ECPrivateKey) pair.getPrivate()).getS());
  }

  @Test
  void refusesAPointThatIsNotOnTheCurveOrTooLongAMessage() {
    byte[] point = b64(UA_PUBLIC);
    point[64] ^= 1;
    assertThatThrownBy(() -> PushEncryption.publicKey(point)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a point on P-256");
    assertThatThrownBy(() -> PushEncryption.publicKey(Arrays.copyOf(b64(UA_PUBLIC), 33)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PushEncryption.encrypt(new byte[PushEncryption.MAX_PLAINTEXT + 1], b64(UA_PUBLIC), b64(AUTH)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(PushEncryption.encrypt(new byte[PushEncryption.MAX_PLAINTEXT], b64(UA_PUBLIC), b64(AUTH)))
        .hasSize(4096);
  }
}
