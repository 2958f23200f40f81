package io.videoshop.wallet;

import io.videoshop.domain.Caller;
import io.videoshop.access.Secrets;
import io.videoshop.audit.AuditLog;
import io.videoshop.domain.DomainError;
import io.videoshop.http.ApiResponse;
import io.videoshop.http.Blocking;
import io.videoshop.domain.FieldError;
import io.videoshop.http.Json;
import io.videoshop.tenant.Tenant;
import io.videoshop.tenant.Tenants;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jdbi.v3.core.Jdbi;

/**
 * Credits a tenant's wallet by the operator's hand (a top-up, refund, adjustment or trial grant),
 * safely retried: the {@code Idempotency-Key} names the credit (its ledger reference is
 * {@code api:<key>}), so neither a retried request nor a retried ask can credit twice.
 */
public final class TopUps {
  public static final int MAX_NOTE = 500;

  private final Jdbi jdbi;
  private final Tenants tenants;
  private final Wallets wallets;
  private final IdempotencyRecords records;
  private final AuditLog audit;
  private final Blocking blocking;

  public TopUps(Jdbi jdbi, Tenants tenants, Wallets wallets, IdempotencyRecords records, AuditLog audit,
      Blocking blocking) {
    this.jdbi = jdbi;
    this.tenants = tenants;
    this.wallets = wallets;
    this.records = records;
    this.audit = audit;
    this.blocking = blocking;
  }

  /** @param kind top_up (the default), refund, adjustment or trial_grant */
  public record TopUpRequest(long amount, Wallet.CreditKind kind, String note) {
    Wallet.CreditKind kindOrDefault() {
      return kind == null ? Wallet.CreditKind.TOP_UP : kind;
    }
  }

  public record TopUp(String tenantId, String reference, Wallet.CreditKind kind, long amount, String currency,
      long balanceAfter) {}

  /** A new credit's answer (201), or the first answer again for a repeated key and body. */
  public CompletionStage<ApiResponse> topUp(Caller caller, String tenantId, Optional<String> keyHeader, String body) {
    return blocking.run(() -> {
      Tenant tenant = jdbi.withHandle(handle -> tenants.get(handle, tenantId));
      String key = IdempotencyRecords.key(keyHeader);
      TopUpRequest request = validated(Json.read(body, TopUpRequest.class));
      String hash = Secrets.sha256(Json.write(new TopUpRequest(request.amount(), request.kindOrDefault(),
          request.note())));
      Optional<IdempotencyRecords.Answer> first = jdbi.withHandle(handle -> records.find(handle, scope(tenantId), key,
          hash));
      return new Prepared(tenant, key, request, hash, first);
    }).thenCompose(prepared -> prepared.first().isPresent()
        ? CompletableFuture.completedFuture(replayed(prepared.first().get()))
        : credit(caller, prepared));
  }

  private record Prepared(Tenant tenant, String key, TopUpRequest request, String hash,
      Optional<IdempotencyRecords.Answer> first) {}

  private CompletionStage<ApiResponse> credit(Caller caller, Prepared prepared) {
    String tenantId = prepared.tenant().id();
    String reference = "api:" + prepared.key();
    TopUpRequest request = prepared.request();
    return wallets.open(prepared.tenant())
        .thenCompose(view -> wallets.<Wallet.CreditReply>ask(tenantId, replyTo -> new Wallet.Credit(reference,
                request.kindOrDefault(), request.amount(), request.note(), replyTo))
            .thenApply(reply -> {
              if (reply instanceof Wallet.Refused refused) throw Wallets.problemFor(refused.reason());
              Wallet.CreditRecorded recorded = (Wallet.CreditRecorded) reply;
              return new TopUp(tenantId, reference, recorded.kind(), recorded.amount(), view.currency(),
                  recorded.balanceAfter());
            }))
        .thenCompose(topUp -> blocking.run(() -> {
          IdempotencyRecords.Answer answer = jdbi.inTransaction(handle -> {
            IdempotencyRecords.Answer kept = records.save(handle, scope(tenantId), prepared.key(), prepared.hash(),
                new IdempotencyRecords.Answer(201, Json.write(topUp)));
            audit.record(handle, caller, new AuditLog.Change(tenantId, "wallet.credited", "wallet", tenantId, null,
                topUp));
            return kept;
          });
          return new ApiResponse(answer.status(), answer.body(), "application/json", Map.of());
        }));
  }

  private static ApiResponse replayed(IdempotencyRecords.Answer answer) {
    return new ApiResponse(answer.status(), answer.body(), "application/json", Map.of("Idempotent-Replayed", "true"));
  }

  private static String scope(String tenantId) {
    return "top-up:" + tenantId;
  }

  private static TopUpRequest validated(TopUpRequest request) {
    List<FieldError> errors = new ArrayList<>();
    if (request.amount() < 1 || request.amount() > 1_000_000_000_000L) {
      errors.add(new FieldError("amount", "out_of_range",
          "must be a whole number of minor units (cents) from 1 to 1000000000000"));
    }
    if (request.note() != null && request.note().length() > MAX_NOTE) {
      errors.add(new FieldError("note", "too_long", "must be at most " + MAX_NOTE + " characters"));
    }
    if (!errors.isEmpty()) throw DomainError.invalid(errors);
    return request;
  }
}
