package io.videoshop.config;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Privacy: the key-encryption keys that wrap every data subject's key ({@code master-key}, the one
 * new keys are wrapped under, and {@code previous-master-keys}, still accepted while a rotation
 * re-wraps the keys in the background), and the region the node processes data in
 * ({@code videoshop.region}, reported by the API and in exports), and how long an export job's
 * download link works ({@code export-link-ttl}; the stored export is deleted after it), and the
 * public consent withdrawal's limit per client address ({@code consent-withdrawal}).
 *
 * <p>A master key is written {@code id:base64}, e.g. {@code k2:$(openssl rand -base64 32)}: the id
 * is stored next to every wrapped key so that a rotation knows which ones are left.
 */
public record PrivacySettings(Optional<MasterKey> masterKey, List<MasterKey> previousMasterKeys, String region,
    RetentionSettings retention, java.time.Duration exportLinkTtl, int withdrawalPerIpBurst,
    int withdrawalPerIpPerMinute) {

  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");

  /** A key-encryption key: its id and its 32 bytes (AES-256). */
  public record MasterKey(String id, byte[] bytes) {
    @Override
    public String toString() {
      return "MasterKey[" + id + "]";
    }
  }

  @Override
  public String toString() {
    return "PrivacySettings[masterKey=" + masterKey.map(MasterKey::id).orElse("<none>") + ", previous="
        + previousMasterKeys.stream().map(MasterKey::id).toList() + ", region=" + region + "]";
  }

  static PrivacySettings read(SettingsReader at, String region) {
    Optional<MasterKey> current = Optional.empty();
    String value = at.string("master-key").trim();
    if (!value.isEmpty()) {
      current = parse(value).map(Optional::of).orElseGet(() -> {
        at.problem("master-key", "must be id:base64 of 32 bytes, e.g. k1:$(openssl rand -base64 32)");
        return Optional.empty();
      });
    }
    List<MasterKey> previous = new ArrayList<>();
    for (String item : at.string("previous-master-keys").split(",")) {
      if (item.isBlank()) continue;
      parse(item.trim()).ifPresentOrElse(previous::add, () -> at.problem("previous-master-keys",
          "each must be id:base64 of 32 bytes (comma-separated)"));
    }
    current.ifPresent(key -> {
      if (previous.stream().anyMatch(p -> p.id().equals(key.id()))) {
        at.problem("previous-master-keys", "must not repeat the id of master-key (" + key.id() + ")");
      }
    });
    return new PrivacySettings(current, List.copyOf(previous), region, RetentionSettings.read(at.at("retention")),
        at.positiveDuration("export-link-ttl"), at.at("consent-withdrawal").intBetween("per-ip-burst", 1, 100_000),
        at.at("consent-withdrawal").intBetween("per-ip-per-minute", 1, 1_000_000));
  }

  /** The value never appears in a message: only whether it parses. */
  static Optional<MasterKey> parse(String value) {
    int colon = value.indexOf(':');
    if (colon <= 0) return Optional.empty();
    String id = value.substring(0, colon);
    if (!KEY_ID.matcher(id).matches()) return Optional.empty();
    try {
      byte[] bytes = Base64.getDecoder().decode(value.substring(colon + 1).trim());
      return bytes.length == 32 ? Optional.of(new MasterKey(id, bytes)) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
