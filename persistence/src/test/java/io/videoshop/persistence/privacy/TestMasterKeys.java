package io.videoshop.persistence.privacy;

import io.videoshop.config.PrivacySettings;
import java.security.SecureRandom;
import java.util.Base64;

/** Master keys for tests: a fresh random one, or the fixed one {@code TestNodes} configures. */
public final class TestMasterKeys {
  /** The master key test nodes start with (HOCON value of videoshop.privacy.master-key). */
  public static final String NODE_KEY = "test1:" + Base64.getEncoder().encodeToString(
      "videoshop-test-master-key-32byte".getBytes(java.nio.charset.StandardCharsets.UTF_8));

  private TestMasterKeys() {}

  public static PrivacySettings.MasterKey random(String id) {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return new PrivacySettings.MasterKey(id, bytes);
  }

  public static MasterKeys fresh() {
    return MasterKeys.of(random("t1"));
  }

  /** The text form id:base64 of a key, as configuration holds it. */
  public static String hocon(PrivacySettings.MasterKey key) {
    return key.id() + ":" + Base64.getEncoder().encodeToString(key.bytes());
  }
}
