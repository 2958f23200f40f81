package io.videoshop.wallet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.domain.Caller;
import io.videoshop.audit.AuditLog;
import io.videoshop.domain.DomainError;
import io.videoshop.http.Blocking;
import io.videoshop.http.Json;
import io.videoshop.tenant.Tenant;
import io.videoshop.tenant.Tenants;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The payment provider's webhook (Stripe): a signed event saying a payment succeeded credits the
 * tenant named in its metadata. The signature is checked over the exact body before anything
 * else; each event id is handled once ({@code payment_events}); the credit's reference is the
 * payment intent's id, so the two events Stripe sends for one checkout payment
 * ({@code checkout.session.completed} and {@code payment_intent.succeeded}) credit it once.
 *
 * <p>An authentic event that cannot be credited (no tenant id, unknown tenant, another currency)
 * is answered 200 and recorded as rejected, with a warning in the log: Stripe would otherwise
 * retry it for days, and retrying cannot make it creditable.
 */
public final class PaymentWebhook {
  public static final String PROVIDER = "stripe";
  private static final Logger log = LoggerFactory.getLogger(PaymentWebhook.class);
  private static final Caller WEBHOOK = Caller.system("payment-webhook");

  private final Jdbi jdbi;
  private final Tenants tenants;
  private final Wallets wallets;
  private final AuditLog audit;
  private final Blocking blocking;
  private final Clock clock;

  public PaymentWebhook(Jdbi jdbi, Tenants tenants, Wallets wallets, AuditLog audit, Blocking blocking, Clock clock) {
    this.jdbi = jdbi;
    this.tenants = tenants;
    this.wallets = wallets;
    this.audit = audit;
    this.blocking = blocking;
    this.clock = clock;
  }

  /** What the webhook made of an event: {@code status} is credited, duplicate, ignored or rejected. */
  public record Outcome(String status, String eventId, String reason, String tenantId, String reference, Long amount) {}

  /** A payment to credit, read from a succeeded checkout session or payment intent. */
  record Payment(String eventId, String type, String tenantId, String reference, long amount, String currency) {}

  public CompletionStage<Outcome> receive(Optional<String> signature, String body) {
    return blocking.run(() -> {
      if (!wallets.settings().webhookConfigured()) {
        throw DomainError.unavailable("webhook_not_configured",
            "No webhook secret is configured (videoshop.billing.stripe.webhook-secret)");
      }
      StripeSignature.verify(signature.orElse(null), body, wallets.settings().stripeWebhookSecret(), clock.instant(),
          wallets.settings().stripeTolerance());
      JsonNode event = parse(body);
      String eventId = event.path("id").asText("");
      String type = event.path("type").asText("");
      if (eventId.isEmpty() || eventId.length() > 255 || type.isEmpty() || type.length() > 100) {
        throw DomainError.badRequest("invalid_event", "The event has no id or no type");
      }
      if (handledBefore(eventId)) {
        return new Decision(new Outcome("duplicate", eventId, null, null, null, null), type, null, null);
      }
      return decide(eventId, type, event.path("data").path("object"));
    }).thenCompose(decision -> {
      if (decision.payment() == null) {
        Outcome outcome = decision.outcome();
        if (outcome.status().equals("duplicate")) return CompletableFuture.completedFuture(outcome);
        return blocking.run(() -> record(outcome, decision.type(), outcome.tenantId(), null));
      }
      return credit(decision.payment(), decision.tenant());
    });
  }

  /** Either an outcome already (nothing to credit) or a payment to credit to a tenant. */
  private record Decision(Outcome outcome, String type, Payment payment, Tenant tenant) {}

  private Decision decide(String eventId, String type, JsonNode object) {
    String reference;
    long amount;
    if (type.equals("checkout.session.completed")) {
      if (!"paid".equals(object.path("payment_status").asText())) {
        return new Decision(new Outcome("ignored", eventId, "not_paid", null, null, null), type, null, null);
      }
      String intent = object.path("payment_intent").asText("");
      reference = PROVIDER + ":" + (intent.isEmpty() ? object.path("id").asText("") : intent);
      amount = object.path("amount_total").asLong(0);
    } else if (type.equals("payment_intent.succeeded")) {
      reference = PROVIDER + ":" + object.path("id").asText("");
      amount = object.path("amount_received").asLong(object.path("amount").asLong(0));
    } else {
      return new Decision(new Outcome("ignored", eventId, "event_type_not_handled", null, null, null), type, null,
          null);
    }
    String tenantId = object.path("metadata").path("tenantId").asText("");
    String currency = object.path("currency").asText("").toUpperCase(java.util.Locale.ROOT);
    if (tenantId.isEmpty()) return rejected(eventId, type, "no_tenant_id", null);
    if (amount < 1 || reference.length() <= PROVIDER.length() + 1) {
      return rejected(eventId, type, "no_amount", null);
    }
    Optional<Tenant> tenant = tenantId.length() > 36 ? Optional.empty() : tenants.find(tenantId);
    if (tenant.isEmpty()) return rejected(eventId, type, "unknown_tenant", null);
    return new Decision(null, type, new Payment(eventId, type, tenantId, reference, amount, currency), tenant.get());
  }

  private CompletionStage<Outcome> credit(Payment payment, Tenant tenant) {
    return wallets.open(tenant).thenCompose(view -> {
      if (!view.currency().equalsIgnoreCase(payment.currency())) {
        log.warn("Payment event {} pays {} {} to tenant {} whose wallet is in {}: not credited",
            payment.eventId(), payment.amount(), payment.currency(), payment.tenantId(), view.currency());
        return blocking.run(() -> record(new Outcome("rejected", payment.eventId(), "currency_mismatch",
            payment.tenantId(), null, null), payment.type(), payment.tenantId(), payment.amount()));
      }
      return wallets.<Wallet.CreditReply>ask(payment.tenantId(), replyTo -> new Wallet.Credit(payment.reference(),
              Wallet.CreditKind.TOP_UP, payment.amount(), PROVIDER + " " + payment.eventId(), replyTo))
          .thenCompose(reply -> blocking.run(() -> {
            if (reply instanceof Wallet.Refused refused) {
              log.warn("Payment event {} for tenant {} was refused by the wallet: {}", payment.eventId(),
                  payment.tenantId(), refused.reason().code());
              return record(new Outcome("rejected", payment.eventId(), refused.reason().code(), payment.tenantId(),
                  payment.reference(), payment.amount()), payment.type(), payment.tenantId(), payment.amount());
            }
            Outcome outcome = new Outcome("credited", payment.eventId(), null, payment.tenantId(), payment.reference(),
                payment.amount());
            return record(outcome, payment.type(), payment.tenantId(), payment.amount());
          }));
    });
  }

  /** Records the event as handled (with its audit entry when it credited); a concurrent twin already did: fine. */
  private Outcome record(Outcome outcome, String type, String tenantId, Long amount) {
    try {
      jdbi.useTransaction(handle -> {
        handle.createUpdate("""
                INSERT INTO payment_events (provider, event_id, event_type, tenant_id, amount, outcome, received_at)
                VALUES (:provider, :id, :type, :tenant, :amount, :outcome, :now)""")
            .bind("provider", PROVIDER).bind("id", outcome.eventId()).bind("type", type == null ? "" : type)
            .bind("tenant", tenantId).bind("amount", amount)
            .bind("outcome", outcome.reason() == null ? outcome.status() : outcome.status() + ":" + outcome.reason())
            .bind("now", clock.instant())
            .execute();
        if (outcome.status().equals("credited")) {
          Map<String, Object> after = new LinkedHashMap<>();
          after.put("reference", outcome.reference());
          after.put("amount", outcome.amount());
          after.put("eventId", outcome.eventId());
          audit.record(handle, WEBHOOK, new AuditLog.Change(tenantId, "wallet.credited", "wallet", tenantId, null,
              after));
        }
      });
    } catch (org.jdbi.v3.core.statement.UnableToExecuteStatementException e) {
      if (!handledBefore(outcome.eventId())) throw e;
    }
    if (outcome.status().equals("rejected")) {
      log.warn("Payment event {} not credited: {}", outcome.eventId(), outcome.reason());
    }
    return outcome;
  }

  private static Decision rejected(String eventId, String type, String reason, String tenantId) {
    return new Decision(new Outcome("rejected", eventId, reason, tenantId, null, null), type, null, null);
  }

  private boolean handledBefore(String eventId) {
    return jdbi.withHandle(handle -> handle.createQuery(
            "SELECT count(*) FROM payment_events WHERE provider = :provider AND event_id = :id")
        .bind("provider", PROVIDER).bind("id", eventId).mapTo(Long.class).one() > 0);
  }

  private static JsonNode parse(String body) {
    try {
      JsonNode node = Json.MAPPER.readTree(body);
      if (node == null || !node.isObject()) throw DomainError.badRequest("invalid_event", "The event is not a JSON object");
      return node;
    } catch (JsonProcessingException e) {
      throw DomainError.badRequest("malformed_json", "The event is not valid JSON");
    }
  }
}
