package io.videoshop.scheduling;

import com.nimbusds.jwt.JWTClaimsSet;
import io.videoshop.access.SigningKeys;
import io.videoshop.domain.DomainError;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * The signed links in a booking's mails that reschedule or cancel it without an account: an
 * HMAC (HS256, the node's signing keys, rotated like access tokens) over the tenant, the booking
 * and an expiry, in the audience {@value #AUDIENCE} so no other token of ours passes for one.
 * Sent in a request body, never in a URL the server logs.
 */
public final class BookingLinks {
  public static final String AUDIENCE = "videoshop-booking-link";

  private final SigningKeys keys;
  private final Duration ttl;
  private final Clock clock;

  public BookingLinks(SigningKeys keys, Duration ttl, Clock clock) {
    this.keys = keys;
    this.ttl = ttl;
    this.clock = clock;
  }

  public record Link(String tenantId, String bookingId) {}

  public String sign(String tenantId, String bookingId) {
    Instant now = clock.instant();
    return keys.sign(new JWTClaimsSet.Builder().audience(AUDIENCE).subject(bookingId).claim("tid", tenantId)
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(ttl))).build());
  }

  /** The booking a link names; 401 {@code invalid_booking_link} for anything else (tampered, expired, another token). */
  public Link verify(String token) {
    if (token == null || token.isBlank() || token.length() > 2048) throw invalid();
    JWTClaimsSet claims = keys.claims(token).orElseThrow(BookingLinks::invalid);
    try {
      List<String> audience = claims.getAudience();
      Date expires = claims.getExpirationTime();
      String tenantId = claims.getStringClaim("tid");
      if (audience == null || !audience.contains(AUDIENCE) || expires == null || tenantId == null
          || claims.getSubject() == null || !clock.instant().isBefore(expires.toInstant())) {
        throw invalid();
      }
      return new Link(tenantId, claims.getSubject());
    } catch (ParseException e) {
      throw invalid();
    }
  }

  /** The booking a link names, when it is valid and of this tenant (another tenant's link is not valid here). */
  public Link verifyFor(String tenantId, String token) {
    Link link = verify(token);
    if (!tenantId.equals(link.tenantId())) throw invalid();
    return link;
  }

  /** 401 {@code invalid_booking_link}: what every wrong link gets, whatever was wrong with it. */
  private static DomainError invalid() {
    return DomainError.unauthorized("invalid_booking_link", "The booking link is not valid (or has expired)");
  }
}
