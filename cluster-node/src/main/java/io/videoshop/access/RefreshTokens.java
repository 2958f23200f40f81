package io.videoshop.access;

import java.time.Instant;
import org.jdbi.v3.core.Handle;

/**
 * Refresh tokens: opaque, stored as digests, rotated on every use within a family; presenting a
 * token that was already rotated means it was stolen or replayed, and revokes its whole family.
 */
final class RefreshTokens {
  private RefreshTokens() {}

  static String issue(Handle handle, String userId, String familyId, Instant now, Instant expiresAt) {
    String token = Secrets.newSecret("rt_");
    handle.createUpdate("""
            INSERT INTO refresh_tokens (token_hash, family_id, user_id, issued_at, expires_at)
            VALUES (:hash, :familyId, :userId, :now, :expiresAt)""")
        .bind("hash", Secrets.sha256(token)).bind("familyId", familyId).bind("userId", userId)
        .bind("now", now).bind("expiresAt", expiresAt)
        .execute();
    return token;
  }

  static void revokeFamily(Handle handle, String familyId, Instant now) {
    handle.createUpdate("UPDATE refresh_tokens SET revoked_at = :now WHERE family_id = :familyId AND revoked_at IS NULL")
        .bind("now", now).bind("familyId", familyId).execute();
  }

  static void revokeAllOf(Handle handle, String userId, Instant now) {
    handle.createUpdate("UPDATE refresh_tokens SET revoked_at = :now WHERE user_id = :userId AND revoked_at IS NULL")
        .bind("now", now).bind("userId", userId).execute();
  }
}
