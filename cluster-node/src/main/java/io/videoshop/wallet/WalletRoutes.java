package io.videoshop.wallet;

import io.videoshop.domain.Caller;
import io.videoshop.domain.Role;
import io.videoshop.audit.AuditLog;
import io.videoshop.http.Access;
import io.videoshop.http.ApiError;
import io.videoshop.http.ApiRequest;
import io.videoshop.http.ApiResponse;
import io.videoshop.http.ApiRoute;
import io.videoshop.http.Blocking;
import io.videoshop.tenant.Tenant;
import io.videoshop.tenant.Tenants;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import org.jdbi.v3.core.Jdbi;

/**
 * Billing routes: translation only. The wallet's own figures (balance, plan, usage) come from the
 * entity; the ledger and statements from the read side. Owners and admins read their tenant's,
 * the operator reads every tenant's and is the only one who changes plans and credits wallets.
 */
public final class WalletRoutes {
  public static final String SCOPE = "billing:read";
  private static final Set<String> TYPES = Set.of(LedgerEntries.CREDIT, LedgerEntries.DEBIT);
  private static final Set<String> KINDS = Set.of("top_up", "refund", "adjustment", "trial_grant", "call_minute",
      "plan_fee");

  private WalletRoutes() {}

  public static List<ApiRoute> routes(Jdbi jdbi, Tenants tenants, Wallets wallets, LedgerEntries ledger, TopUps topUps,
      PaymentWebhook webhook, AuditLog audit, Blocking blocking, Clock clock) {
    String wallet = "/api/v1/tenants/{tenantId}/wallet";
    Access readers = Access.tenant(Role.ADMIN, SCOPE);
    BiFunction<ApiRequest, BiFunction<Tenant, WalletView, Object>, CompletionStage<ApiResponse>> withWallet =
        (request, answer) -> blocking.run(() -> jdbi.withHandle(handle -> tenants.get(handle, request.path("tenantId"))))
            .thenCompose(tenant -> wallets.open(tenant).thenApply(view -> ApiResponse.ok(answer.apply(tenant, view))));
    return List.of(
        new ApiRoute("GET", wallet, readers, "Get the wallet: balance, plan, minutes left, admission", request ->
            withWallet.apply(request, (tenant, view) -> view)),
        new ApiRoute("GET", wallet + "/plan", readers, "Get the plan (and a downgrade waiting for the next period)",
            request -> withWallet.apply(request, (tenant, view) -> planOf(view))),
        new ApiRoute("PUT", wallet + "/plan", Access.OPERATOR, "Change the plan (operator)", request ->
            changePlan(request, jdbi, tenants, wallets, audit, blocking)),
        new ApiRoute("GET", wallet + "/usage", readers, "Call minutes and fees of the current period", request ->
            withWallet.apply(request, (tenant, view) -> usageOf(view))),
        ApiRoute.blocking("GET", wallet + "/ledger", readers, "Page through the ledger, newest first", blocking,
            request -> {
              String tenantId = jdbi.withHandle(handle -> tenants.get(handle, request.path("tenantId"))).id();
              return ApiResponse.ok(ledger.page(filter(request, tenantId)));
            }),
        new ApiRoute("GET", wallet + "/statement", readers, "A month's statement (JSON)", request ->
            statement(request, jdbi, tenants, wallets, ledger, blocking, clock).thenApply(ApiResponse::ok)),
        new ApiRoute("GET", wallet + "/statement.csv", readers, "A month's statement (CSV)", request ->
            statement(request, jdbi, tenants, wallets, ledger, blocking, clock)
                .thenApply(statement -> ApiResponse.text("text/csv; charset=UTF-8", statement.csv()))),
        new ApiRoute("POST", wallet + "/top-ups", Access.OPERATOR,
            "Credit the wallet (operator); Idempotency-Key required", request ->
            topUps.topUp(request.caller(), request.path("tenantId"), request.header(IdempotencyRecords.HEADER),
                request.body())),
        new ApiRoute("POST", "/api/v1/payments/webhook", Access.PUBLIC,
            "Payment provider webhook (Stripe-signed events)", request ->
            webhook.receive(request.header("stripe-signature"), request.body()).thenApply(ApiResponse::ok)));
  }

  private static Map<String, Object> planOf(WalletView view) {
    Map<String, Object> plan = new LinkedHashMap<>();
    plan.put("plan", view.plan());
    plan.put("scheduledPlan", view.scheduledPlan());
    plan.put("scheduledFrom", view.scheduledFrom());
    plan.put("period", view.period());
    plan.put("includedMinutesLeft", view.includedMinutesLeft());
    return plan;
  }

  private static Map<String, Object> usageOf(WalletView view) {
    Map<String, Object> usage = new LinkedHashMap<>();
    usage.put("period", view.period());
    usage.put("currency", view.currency());
    usage.put("minutes", view.usage().minutes());
    usage.put("includedMinutes", view.usage().includedMinutes());
    usage.put("minuteAmount", view.usage().minuteAmount());
    usage.put("planFees", view.usage().planFees());
    usage.put("includedMinutesLeft", view.includedMinutesLeft());
    usage.put("minutesLeft", view.minutesLeft());
    return usage;
  }

  private static CompletionStage<ApiResponse> changePlan(ApiRequest request, Jdbi jdbi, Tenants tenants,
      Wallets wallets, AuditLog audit, Blocking blocking) {
    Caller caller = request.caller();
    return blocking.run(() -> {
      Tenant tenant = jdbi.withHandle(handle -> tenants.get(handle, request.path("tenantId")));
      Plan plan = request.body(Plan.class);
      plan.invalidBecause().ifPresent(problem -> {
        throw ApiError.invalid("plan", "invalid_plan", problem);
      });
      return Map.entry(tenant, plan);
    }).thenCompose(asked -> wallets.open(asked.getKey()).thenCompose(before -> wallets.<Wallet.PlanChangeReply>ask(
            asked.getKey().id(), replyTo -> new Wallet.ChangePlan(asked.getValue(), replyTo))
        .thenCompose(reply -> {
          if (reply instanceof Wallet.Refused refused) {
            throw refused.reason() == Wallet.Refusal.INVALID_PLAN_CHANGE
                ? ApiError.conflict("invalid_plan_change", "A paid plan cannot go back to a trial")
                : ApiError.of(Wallets.problemFor(refused.reason()));
          }
          Wallet.PlanChangeAccepted accepted = (Wallet.PlanChangeAccepted) reply;
          String action = accepted.plan().equals(asked.getValue()) ? "wallet.plan_changed"
              : "wallet.plan_change_scheduled";
          String tenantId = asked.getKey().id();
          return blocking.run(() -> {
            if (!accepted.plan().equals(before.plan()) || !java.util.Objects.equals(accepted.scheduledPlan(),
                before.scheduledPlan())) {
              audit.record(caller, new AuditLog.Change(tenantId, action, "wallet", tenantId, planOf(before),
                  accepted));
            }
            return ApiResponse.ok(accepted);
          });
        })));
  }

  private static CompletionStage<Statement> statement(ApiRequest request, Jdbi jdbi, Tenants tenants, Wallets wallets,
      LedgerEntries ledger, Blocking blocking, Clock clock) {
    Instant now = clock.instant();
    YearMonth month = month(request, now);
    return blocking.run(() -> jdbi.withHandle(handle -> tenants.get(handle, request.path("tenantId"))))
        .thenCompose(tenant -> wallets.open(tenant).thenCompose(view -> blocking.run(() -> {
          Instant from = Wallet.startOf(month);
          Instant to = Wallet.startOf(month.plusMonths(1));
          return Statement.of(tenant.id(), month, view.currency(), now, ledger.balanceBefore(tenant.id(), from),
              ledger.between(tenant.id(), from, to));
        })));
  }

  private static YearMonth month(ApiRequest request, Instant now) {
    YearMonth current = Wallet.periodOf(now);
    try {
      YearMonth month = request.query("month").map(YearMonth::parse).orElse(current);
      if (month.isAfter(current)) {
        throw ApiError.badRequest("invalid_query", "Query parameter month must not be after " + current);
      }
      return month;
    } catch (DateTimeParseException e) {
      throw ApiError.badRequest("invalid_query", "Query parameter month must be a month such as 2026-11");
    }
  }

  private static LedgerEntries.Filter filter(ApiRequest request, String tenantId) {
    Optional<String> type = request.query("type");
    Optional<String> kind = request.query("kind");
    if (type.isPresent() && !TYPES.contains(type.get())) {
      throw ApiError.badRequest("invalid_query", "Query parameter type must be credit or debit");
    }
    if (kind.isPresent() && !KINDS.contains(kind.get())) {
      throw ApiError.badRequest("invalid_query", "Query parameter kind must be one of " + new java.util.TreeSet<>(KINDS));
    }
    return new LedgerEntries.Filter(tenantId, type, kind, request.instantQuery("from"), request.instantQuery("to"),
        request.query("cursor").map(cursor -> (long) request.intQuery("cursor", 0, 1, Integer.MAX_VALUE)),
        request.intQuery("limit", 50, 1, LedgerEntries.MAX_PAGE));
  }

}
