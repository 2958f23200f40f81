package io.videoshop.privacy;

import com.nimbusds.jwt.JWTClaimsSet;
import io.videoshop.domain.Caller;
import io.videoshop.access.SigningKeys;
import io.videoshop.audit.AuditLog;
import io.videoshop.domain.DomainError;
import io.videoshop.persistence.privacy.DecryptedPersonalData;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.persistence.privacy.PersonalDataVault;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;

/**
 * Exports as jobs, for bundles too large to build within a request: the request answers at once
 * (a privacy request of kind {@code export} with a status); the job builds the bundle, stores it
 * encrypted under a data subject of its own and finishes; its download link, signed with the
 * node's keys, expires after {@code export-link-ttl}, when the stored bundle and its key are
 * deleted (by the retention job). The link is stored nowhere: it is signed for each read of the
 * request by the user who asked for the export, and never shown in the list of requests or to
 * anyone else. Requested, ready and downloaded are audit entries.
 */
public final class ExportJobs {
  public static final String AUDIENCE = "videoshop-export";
  public static final String DOWNLOAD_PATH = "/api/v1/privacy/downloads/";

  private final Jdbi jdbi;
  private final PersonalDataVault vault;
  private final Erasures requests;
  private final SigningKeys keys;
  private final AuditLog audit;
  private final Duration ttl;
  private final Clock clock;

  public ExportJobs(Jdbi jdbi, PersonalDataVault vault, Erasures requests, SigningKeys keys, AuditLog audit,
      Duration ttl, Clock clock) {
    this.jdbi = jdbi;
    this.vault = vault;
    this.requests = requests;
    this.keys = keys;
    this.audit = audit;
    this.ttl = ttl;
    this.clock = clock;
  }

  /**
   * Starts an export job; {@code bundle} builds the zip (a shopper's or a user's). Every request is
   * a job of its own (the data may have changed since the last one).
   */
  public Erasures.Request start(String tenantId, String referenceType, Caller caller, Supplier<byte[]> bundle) {
    return requests.submit(tenantId, "export", referenceType, UUID.randomUUID().toString(), caller, "export.requested",
        id -> {
          byte[] zip = bundle.get();
          String subject = "export-" + id;
          Instant now = clock.instant();
          Instant expires = now.plus(ttl);
          String sealed = vault.encrypt(subject, Base64.getEncoder().encodeToString(zip)).ciphertext();
          jdbi.useHandle(handle -> {
            handle.createUpdate("DELETE FROM privacy_export_files WHERE request_id = :id").bind("id", id).execute();
            handle.createUpdate("""
                    INSERT INTO privacy_export_files (request_id, tenant_id, subject_id, content, size_bytes, created_at,
                      expires_at) VALUES (:id, :tenant, :subject, :content, :size, :now, :expires)""")
                .bind("id", id).bind("tenant", tenantId).bind("subject", subject).bind("content", sealed)
                .bind("size", zip.length).bind("now", now).bind("expires", expires).execute();
          });
          Map<String, Object> result = new LinkedHashMap<>();
          result.put("bytes", zip.length);
          result.put("expiresAt", expires.toString());
          return new Erasures.Outcome(result, "export.ready", Map.of("requestId", id, "bytes", zip.length,
              "expiresAt", expires.toString()));
        });
  }

  /**
   * A request as {@code caller} may see it: an export that is done and not yet expired carries its
   * download link only for the user who asked for it (signed now, expiring with the bundle); every
   * other request, and every reader of the list, gets it without one. Links stored by earlier
   * versions are dropped.
   */
  public Erasures.Request view(Erasures.Request request, Caller caller, boolean withLink) {
    if (!"export".equals(request.kind()) || request.result() == null) return request;
    Map<String, Object> result = new LinkedHashMap<>(request.result());
    result.remove("downloadPath");
    Object expiresAt = result.get("expiresAt");
    if (withLink && "done".equals(request.status()) && expiresAt != null && caller.id() != null && !caller.isApiKey()
        && caller.id().equals(request.requestedBy())) {
      Instant expires = Instant.parse(expiresAt.toString());
      if (clock.instant().isBefore(expires)) {
        result.put("downloadPath", DOWNLOAD_PATH + sign(request.tenantId(), request.id(), expires));
      }
    }
    return new Erasures.Request(request.id(), request.tenantId(), request.kind(), request.referenceType(),
        request.status(), request.requestedBy(), request.createdAt(), request.finishedAt(), result);
  }

  /** The bundle a signed download link names; 401 for a bad link, 410 once it expired. Audited. */
  public byte[] download(Caller caller, String token) {
    JWTClaimsSet claims = verify(token);
    String requestId = claims.getSubject();
    String tenantId = (String) claims.getClaim("tid");
    var row = jdbi.withHandle(handle -> handle.createQuery("""
            SELECT subject_id, content, expires_at FROM privacy_export_files WHERE request_id = :id AND tenant_id = :t""")
        .bind("id", requestId).bind("t", tenantId)
        .map((rs, ctx) -> new Object[] {rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant()}).findOne());
    if (row.isEmpty() || !clock.instant().isBefore((Instant) row.get()[2])) throw expired();
    DecryptedPersonalData plain = vault.decrypt(new EncryptedPersonalData((String) row.get()[0], (String) row.get()[1]));
    if (plain.erased()) throw expired();
    audit.record(caller, new AuditLog.Change(tenantId, "export.downloaded", "privacy_request", requestId, null, null));
    return Base64.getDecoder().decode(plain.value());
  }

  private String sign(String tenantId, String requestId, Instant expires) {
    return keys.sign(new JWTClaimsSet.Builder().audience(AUDIENCE).subject(requestId).claim("tid", tenantId)
        .issueTime(Date.from(clock.instant())).expirationTime(Date.from(expires)).build());
  }

  private JWTClaimsSet verify(String token) {
    if (token == null || token.isBlank() || token.length() > 2048) throw invalid();
    try {
      JWTClaimsSet claims = keys.claims(token).orElseThrow(ExportJobs::invalid);
      if (claims.getAudience() == null || !claims.getAudience().contains(AUDIENCE) || claims.getSubject() == null
          || claims.getStringClaim("tid") == null || claims.getExpirationTime() == null) {
        throw invalid();
      }
      if (!clock.instant().isBefore(claims.getExpirationTime().toInstant())) throw expired();
      return claims;
    } catch (ParseException e) {
      throw invalid();
    }
  }

  private static DomainError invalid() {
    return DomainError.unauthorized("invalid_download_link", "The download link is not valid");
  }

  private static DomainError expired() {
    return DomainError.gone("export_expired", "The export has expired; ask for a new one");
  }
}
