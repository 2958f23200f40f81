package io.videoshop.privacy;

import com.nimbusds.jwt.JWTClaimsSet;
import io.videoshop.domain.Caller;
import io.videoshop.access.SigningKeys;
import io.videoshop.audit.AuditLog;
import io.videoshop.domain.DomainError;
import io.videoshop.domain.FieldError;
import io.videoshop.http.Json;
import io.videoshop.persistence.privacy.DecryptedPersonalData;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.persistence.privacy.PersonalDataVault;
import io.videoshop.persistence.privacy.SubjectErasedException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;

/**
 * What a shopper agreed to at a join or a booking (the policy version, the time, the purposes),
 * stored encrypted under the join's or booking's data subject in {@code shopper_consents}, and
 * its withdrawal: as easy as giving it, by the signed link in the footer of every mail to the
 * shopper or by the widget ({@code VideoShop.withdrawConsent(...)}). A withdrawn purpose stops
 * the processing it covered: {@link #allows} is asked before a call summary mail is queued, and
 * the subject's pending mails of that purpose are withdrawn at once. Blocking; call on the
 * blocking dispatcher.
 */
public final class Consents {
  /** Taking part in the call (or the booked call) itself: given by joining or booking. */
  public static final String CALL = "call";
  /** The summary of the call by mail (the products shown, with links). */
  public static final String CALL_SUMMARY_MAIL = "call-summary-mail";
  /** News and offers from the shop (the platform sends none itself; recorded for the shop's own systems). */
  public static final String MARKETING = "marketing";
  public static final List<String> PURPOSES = List.of(CALL, CALL_SUMMARY_MAIL, MARKETING);
  /** The purposes a withdrawal can take back (withdrawing the call itself is leaving the queue or cancelling). */
  public static final List<String> WITHDRAWABLE = List.of(CALL_SUMMARY_MAIL, MARKETING);
  /** The outbox topics each purpose covers. */
  private static final Map<String, List<String>> TOPICS = Map.of(CALL_SUMMARY_MAIL, List.of("call_summary"));
  public static final String AUDIENCE = "videoshop-consent";
  public static final String UNSPECIFIED_POLICY = "unspecified";
  private static final Pattern POLICY = Pattern.compile("[A-Za-z0-9._:/-]{1,64}");

  /** The encrypted record. {@code withdrawn}: purpose to when it was withdrawn. */
  public record Consent(String policyVersion, List<String> purposes, Instant givenAt, Map<String, Instant> withdrawn) {
    public boolean allows(String purpose) {
      return purposes.contains(purpose) && !withdrawn.containsKey(purpose);
    }
  }

  /** A consent as the export shows it. */
  public record Recorded(String subjectId, String source, Consent consent) {}

  private final Jdbi jdbi;
  private final PersonalDataVault vault;
  private final SigningKeys keys;
  private final AuditLog audit;
  private final Duration linkTtl;
  private final Clock clock;

  public Consents(Jdbi jdbi, PersonalDataVault vault, SigningKeys keys, AuditLog audit, Duration linkTtl, Clock clock) {
    this.jdbi = jdbi;
    this.vault = vault;
    this.keys = keys;
    this.audit = audit;
    this.linkTtl = linkTtl;
    this.clock = clock;
  }

  /**
   * The purposes a join or booking agreed to: the call always, the summary mail when the shopper
   * ticked the contact box ({@code contact}), and those named (unknown ones: 422
   * {@code invalid_purpose}).
   */
  public static List<String> purposes(boolean contact, Collection<String> named) {
    Set<String> purposes = new LinkedHashSet<>(List.of(CALL));
    if (contact) purposes.add(CALL_SUMMARY_MAIL);
    if (named != null) {
      if (named.size() > PURPOSES.size()) throw invalidPurpose();
      for (String purpose : named) {
        if (!PURPOSES.contains(purpose)) throw invalidPurpose();
        purposes.add(purpose);
      }
    }
    return PURPOSES.stream().filter(purposes::contains).toList();
  }

  /** A policy version as given (letters, digits, . _ : / -, at most 64), or {@value #UNSPECIFIED_POLICY}; else 422. */
  public static String policyVersion(String given) {
    if (given == null || given.isBlank()) return UNSPECIFIED_POLICY;
    if (!POLICY.matcher(given.strip()).matches()) {
      throw DomainError.invalid(List.of(new FieldError("policyVersion", "invalid_policy_version",
          "1 to 64 letters, digits or . _ : / -")));
    }
    return given.strip();
  }

  private static DomainError invalidPurpose() {
    return DomainError.invalid(List.of(new FieldError("purposes", "invalid_purpose", "each one of " + PURPOSES)));
  }

  /** Records what a booking ({@code source} "booking") agreed to, under its existing subject; once per subject. */
  public void record(String tenantId, String subjectId, String source, String policyVersion, List<String> purposes) {
    Instant now = clock.instant();
    String sealed = vault.encrypt(subjectId, Json.write(consent(policyVersion, purposes, now))).ciphertext();
    jdbi.useHandle(handle -> insert(handle, tenantId, subjectId, source, sealed, now));
  }

  /**
   * A new shopper ({@code source} "join"): their {@code values} sealed under a new subject key, and
   * what they agreed to recorded under it, in one transaction and without reading the key back (so
   * the join's one vault round trip). Null values stay null.
   */
  public List<EncryptedPersonalData> recordNewSubject(String tenantId, String subjectId, String source,
      String policyVersion, List<String> purposes, List<String> values) {
    Instant now = clock.instant();
    List<String> sealing = new ArrayList<>(values);
    sealing.add(Json.write(consent(policyVersion, purposes, now)));
    try {
      return jdbi.inTransaction(handle -> {
        List<EncryptedPersonalData> sealed = vault.encryptNew(handle.getConnection(), subjectId, sealing);
        insert(handle, tenantId, subjectId, source, sealed.get(values.size()).ciphertext(), now);
        return new ArrayList<>(sealed.subList(0, values.size()));
      });
    } catch (SQLException e) {
      throw new IllegalStateException("cannot store the key and consent of subject " + subjectId, e);
    }
  }

  private static Consent consent(String policyVersion, List<String> purposes, Instant now) {
    return new Consent(policyVersion, List.copyOf(purposes), now, Map.of());
  }

  private static void insert(org.jdbi.v3.core.Handle handle, String tenantId, String subjectId, String source,
      String sealedRecord, Instant now) {
    handle.createUpdate("""
            INSERT INTO shopper_consents (subject_id, tenant_id, source, record, given_at, updated_at)
            SELECT :subject, :tenant, :source, :record, :now, :now
            WHERE NOT EXISTS (SELECT 1 FROM shopper_consents WHERE subject_id = :subject)""")
        .bind("subject", subjectId).bind("tenant", tenantId).bind("source", source).bind("record", sealedRecord)
        .bind("now", now).execute();
  }

  /** The signed token of a subject's consent, for the mail footer's link and the widget: withdraws, nothing else. */
  public String token(String tenantId, String subjectId) {
    Instant now = clock.instant();
    return keys.sign(new JWTClaimsSet.Builder().audience(AUDIENCE).subject(subjectId).claim("tid", tenantId)
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(linkTtl))).build());
  }

  /** Whether the subject's consent covers the purpose; a subject without a record is judged by what it had before. */
  public static boolean allows(Connection connection, PersonalDataVault vault, String subjectId, String purpose)
      throws SQLException {
    try (PreparedStatement select = connection.prepareStatement("SELECT record FROM shopper_consents WHERE subject_id = ?")) {
      select.setString(1, subjectId);
      try (ResultSet row = select.executeQuery()) {
        if (!row.next()) return true;
        Optional<Consent> consent = open(vault, subjectId, row.getString(1));
        return consent.isPresent() && consent.get().allows(purpose);
      }
    }
  }

  /** The outcome of a withdrawal: what the consent covers now. */
  public record Withdrawn(String policyVersion, List<String> purposes, Map<String, Instant> withdrawn) {}

  /**
   * Withdraws purposes (all withdrawable ones when none are named) of the consent a signed token
   * names; stops their pending mails; audited as {@code consent.withdrawn}. Repeatable.
   */
  public Withdrawn withdraw(String token, List<String> named) {
    JWTClaimsSet claims = verify(token);
    String subjectId = claims.getSubject();
    String tenantId = (String) claims.getClaim("tid");
    List<String> purposes = named == null || named.isEmpty() ? WITHDRAWABLE : named;
    for (String purpose : purposes) {
      if (!WITHDRAWABLE.contains(purpose)) {
        throw DomainError.invalid(List.of(new FieldError("purposes", "invalid_purpose", "each one of " + WITHDRAWABLE)));
      }
    }
    return jdbi.inTransaction(handle -> {
      String sealed = handle.createQuery("SELECT record FROM shopper_consents WHERE subject_id = :s AND tenant_id = :t "
              + "FOR UPDATE").bind("s", subjectId).bind("t", tenantId).mapTo(String.class).findOne()
          .orElseThrow(() -> DomainError.notFound("consent_not_found", "No consent is recorded for this link"));
      Consent before = open(vault, subjectId, sealed)
          .orElseThrow(() -> DomainError.conflict("subject_erased", "This shopper's data has been erased"));
      Instant now = clock.instant();
      Map<String, Instant> withdrawn = new LinkedHashMap<>(before.withdrawn());
      List<String> stopped = new ArrayList<>();
      for (String purpose : purposes) {
        if (withdrawn.putIfAbsent(purpose, now) == null) stopped.add(purpose);
      }
      Consent after = new Consent(before.policyVersion(), before.purposes(), before.givenAt(), withdrawn);
      try {
        handle.createUpdate("UPDATE shopper_consents SET record = :r, updated_at = :now WHERE subject_id = :s")
            .bind("r", vault.encrypt(subjectId, Json.write(after)).ciphertext()).bind("now", now).bind("s", subjectId)
            .execute();
      } catch (SubjectErasedException e) {
        throw DomainError.conflict("subject_erased", "This shopper's data has been erased");
      }
      int mails = 0;
      for (String purpose : stopped) {
        for (String topic : TOPICS.getOrDefault(purpose, List.of())) {
          mails += handle.createUpdate("DELETE FROM outbox WHERE subject_id = :s AND topic = :topic AND status = 'pending'")
              .bind("s", subjectId).bind("topic", topic).execute();
        }
      }
      if (!stopped.isEmpty()) {
        audit.record(handle, Caller.system("consent-link"), new AuditLog.Change(tenantId, "consent.withdrawn",
            "consent", subjectId, null, Map.of("purposes", stopped, "pendingMailsStopped", mails)));
      }
      return new Withdrawn(after.policyVersion(), after.purposes(), after.withdrawn());
    });
  }

  /** The consents of these subjects, decrypted (erased ones are left out). */
  public static List<Recorded> of(Jdbi jdbi, PersonalDataVault vault, Collection<String> subjectIds) {
    if (subjectIds.isEmpty()) return List.of();
    return jdbi.withHandle(handle -> handle.createQuery(
            "SELECT subject_id, source, record FROM shopper_consents WHERE subject_id IN (<s>) ORDER BY given_at")
        .bindList("s", List.copyOf(subjectIds))
        .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)}).list().stream()
        .flatMap(row -> open(vault, row[0], row[2]).map(consent -> new Recorded(row[0], row[1], consent)).stream())
        .toList());
  }

  private static Optional<Consent> open(PersonalDataVault vault, String subjectId, String sealed) {
    DecryptedPersonalData plain = vault.decrypt(new EncryptedPersonalData(subjectId, sealed));
    if (plain == null || plain.erased() || plain.value() == null) return Optional.empty();
    try {
      return Optional.of(Json.MAPPER.readValue(plain.value(), Consent.class));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("a consent record does not parse", e);
    }
  }

  private JWTClaimsSet verify(String token) {
    DomainError invalid = DomainError.unauthorized("invalid_consent_link", "The consent link is not valid (or has expired)");
    if (token == null || token.isBlank() || token.length() > 2048) throw invalid;
    try {
      JWTClaimsSet claims = keys.claims(token).orElseThrow(() -> invalid);
      Date expires = claims.getExpirationTime();
      if (claims.getAudience() == null || !claims.getAudience().contains(AUDIENCE) || claims.getSubject() == null
          || claims.getStringClaim("tid") == null || expires == null || !clock.instant().isBefore(expires.toInstant())) {
        throw invalid;
      }
      return claims;
    } catch (ParseException e) {
      throw invalid;
    }
  }
}
