package io.videoshop.room;

import io.videoshop.config.CallSettings;
import io.videoshop.protocol.RoomEvent;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The STUN and TURN servers handed to each participant. TURN credentials follow coturn's REST
 * scheme ({@code use-auth-secret}): the username is {@code <expiry unix time>:<participant>} and
 * the password the base64 HMAC-SHA1 of the username under the shared secret, so they expire on
 * their own and nothing is stored.
 */
public final class IceServers {
  private final CallSettings settings;
  private final Clock clock;

  public IceServers(CallSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  public List<RoomEvent.IceServer> forParticipant(String participantId) {
    List<RoomEvent.IceServer> servers = new ArrayList<>();
    if (!settings.stunUrls().isEmpty()) servers.add(new RoomEvent.IceServer(settings.stunUrls(), null, null));
    if (!settings.turnUrls().isEmpty()) {
      long expires = clock.instant().plus(settings.turnCredentialTtl()).getEpochSecond();
      String username = expires + ":" + participantId;
      servers.add(new RoomEvent.IceServer(settings.turnUrls(), username, credential(settings.turnSecret(), username)));
    }
    return servers;
  }

  static String credential(String secret, String username) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA1 is not available", e);
    }
  }
}
