package io.videoshop.wallet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.access.ApiKeys;
import io.videoshop.node.ApiClient;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.BoundedDataSource;
import io.videoshop.persistence.SharedDatabase;
import io.videoshop.persistence.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Billing through the real HTTP API on PostgreSQL, the ledger projection included. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WalletApiTest {
  static final String WEBHOOK_SECRET = "whsec_test_0123456789abcdef";

  private TestPlatform platform;
  private ApiClient api;
  private String operator;

  @BeforeAll
  void start() {
    platform = new TestPlatform(TestDatabase.postgres(),
        "videoshop.billing.stripe.webhook-secret = \"" + WEBHOOK_SECRET + "\"");
    api = platform.api;
    operator = platform.operatorToken();
  }

  @AfterAll
  void stop() throws Exception {
    platform.close();
  }

  private String wallet(TestPlatform.TestTenant tenant) {
    return "/api/v1/tenants/" + tenant.id() + "/wallet";
  }

  @Test
  void queriesHoldingEveryConnectionTheyMayGetLeaveTheJournalConnectionsToWriteWith() throws Exception {
    TestPlatform.TestTenant tenant = platform.tenant("starving");
    assertThat(topUp(tenant, "k-starving", Map.of("amount", 100)).status()).isEqualTo(201);
    var system = platform.node.system();
    int poolSize = SharedDatabase.get(system).settings().poolSize();
    // As many request-driven queries at once as the pool has connections, each holding its own.
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger holding = new AtomicInteger();
    List<Thread> queries = new ArrayList<>();
    for (int i = 0; i < poolSize; i++) {
      Thread query = new Thread(() -> {
        try {
          platform.node.platform().jdbi.useHandle(handle -> {
            handle.createQuery("SELECT 1").mapTo(Integer.class).one();
            holding.incrementAndGet();
            release.await();
          });
        } catch (Exception e) {
          // the queries past the share wait for a connection, and may give up when released late
        }
      }, "starving-query-" + i);
      queries.add(query);
      query.start();
    }
    try {
      // Every query either holds its connection (waiting to be released) or waits for one.
      await().atMost(Duration.ofSeconds(10)).until(() -> queries.stream().allMatch(q ->
          q.getState() == Thread.State.WAITING || q.getState() == Thread.State.TIMED_WAITING));
      // The journal still writes: a credit is persisted well within the pool's connection timeout.
      Wallet.CreditReply credited = ClusterSharding.get(system)
          .entityRefFor(Wallet.ENTITY_KEY, tenant.id()).<Wallet.CreditReply>ask(replyTo -> new Wallet.Credit(
              "api:starving-journal", Wallet.CreditKind.TOP_UP, 50, null, replyTo), Duration.ofSeconds(3))
          .toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(credited).isInstanceOf(Wallet.CreditRecorded.class);
      assertThat(holding.get()).as("the queries' share of the pool (a worker's query may hold one of it)")
          .isPositive().isLessThanOrEqualTo(BoundedDataSource.shareOf(poolSize));
    } finally {
      release.countDown();
      for (Thread query : queries) query.join(10_000);
    }
  }

  private ApiClient.Reply topUp(TestPlatform.TestTenant tenant, String key, Object body) {
    ApiClient.Call call = api.call("POST", wallet(tenant) + "/top-ups").bearer(operator).body(body);
    if (key != null) call.header("Idempotency-Key", key);
    return call.send();
  }

  private long balance(TestPlatform.TestTenant tenant) {
    return api.call("GET", wallet(tenant)).bearer(tenant.ownerToken()).send().json().get("balance").asLong();
  }

  private void tick(TestPlatform.TestTenant tenant, String room, int minute) throws Exception {
    Wallet.DebitReply reply = platform.node.platform().wallets.<Wallet.DebitReply>ask(tenant.id(),
        replyTo -> new Wallet.DebitMinute(room, minute, replyTo)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(reply).isEqualTo(new Wallet.MinuteRecorded(room, minute));
  }

  private void awaitLedgerEntries(TestPlatform.TestTenant tenant, int count) {
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(api.call("GET",
            wallet(tenant) + "/ledger?limit=500").bearer(operator).send().json().get("items").size())
        .isEqualTo(count));
  }

  @Test
  void theWalletOpensWithTheTrialAndOwnersAdminsAndKeysReadItButAgentsDoNot() {
    TestPlatform.TestTenant tenant = platform.tenant("wallet-read");
    ApiClient.Reply owner = api.call("GET", wallet(tenant)).bearer(tenant.ownerToken()).send();
    assertThat(owner.status()).as("%s", owner).isEqualTo(200);
    JsonNode view = owner.json();
    assertThat(view.get("currency").asText()).isEqualTo("EUR");
    assertThat(view.get("balance").asLong()).isZero();
    assertThat(view.at("/plan/kind").asText()).isEqualTo("trial");
    assertThat(view.get("includedMinutesLeft").asInt()).isEqualTo(60);
    assertThat(view.at("/admission/admitting").asBoolean()).isTrue();

    assertThat(api.call("GET", wallet(tenant)).bearer(tenant.adminToken()).send().status()).isEqualTo(200);
    for (String path : List.of("", "/plan", "/usage", "/ledger", "/statement", "/statement.csv")) {
      ApiClient.Reply agent = api.call("GET", wallet(tenant) + path).bearer(tenant.agentToken()).send();
      assertThat(agent.status()).as(path).isEqualTo(403);
    }
    String key = api.call("POST", "/api/v1/tenants/" + tenant.id() + "/api-keys").bearer(tenant.adminToken())
        .body(Map.of("name", "billing", "scopes", List.of(WalletRoutes.SCOPE))).send().json().get("key").asText();
    assertThat(ApiKeys.SCOPES).contains(WalletRoutes.SCOPE);
    assertThat(api.call("GET", wallet(tenant) + "/usage").apiKey(key).send().status()).isEqualTo(200);
  }

  @Test
  void aTopUpRetriedWithTheSameKeyAndBodyGetsTheFirstAnswerAndAnotherBodyIsAConflict() {
    TestPlatform.TestTenant tenant = platform.tenant("wallet-top-up");
    String key = UUID.randomUUID().toString();
    ApiClient.Reply first = topUp(tenant, key, Map.of("amount", 5_000, "note", "first payment"));
    assertThat(first.status()).as("%s", first).isEqualTo(201);
    assertThat(first.json().get("balanceAfter").asLong()).isEqualTo(5_000);
    assertThat(first.json().get("reference").asText()).isEqualTo("api:" + key);

    ApiClient.Reply again = topUp(tenant, key, Map.of("amount", 5_000, "note", "first payment"));
    assertThat(again.status()).isEqualTo(201);
    assertThat(again.body()).isEqualTo(first.body());
    assertThat(again.headers().firstValue("Idempotent-Replayed")).contains("true");

    ApiClient.Reply other = topUp(tenant, key, Map.of("amount", 6_000, "note", "first payment"));
    assertThat(other.status()).isEqualTo(409);
    assertThat(other.code()).isEqualTo("idempotency_key_reused");
    assertThat(balance(tenant)).isEqualTo(5_000);

    assertThat(topUp(tenant, null, Map.of("amount", 1)).code()).isEqualTo("idempotency_key_required");
    assertThat(topUp(tenant, "bad key!", Map.of("amount", 1)).code()).isEqualTo("invalid_idempotency_key");
    assertThat(topUp(tenant, "k-fraction", "{\"amount\": 10.5}").code()).as("no fractions of a cent")
        .isEqualTo("invalid_field");
    assertThat(topUp(tenant, "k-zero", Map.of("amount", 0)).code()).isEqualTo("validation_failed");
    assertThat(topUp(tenant, "k-unknown", Map.of("amount", 5, "currency", "EUR")).code()).isEqualTo("unknown_field");
    ApiClient.Reply byOwner = api.call("POST", wallet(tenant) + "/top-ups").bearer(tenant.ownerToken())
        .header("Idempotency-Key", "k-owner").body(Map.of("amount", 1)).send();
    assertThat(byOwner.code()).isEqualTo("operator_only");
    assertThat(balance(tenant)).as("refused requests changed nothing").isEqualTo(5_000);

    ApiClient.Reply audit = api.call("GET", "/api/v1/tenants/" + tenant.id() + "/audit?action=wallet.credited")
        .bearer(tenant.ownerToken()).send();
    assertThat(audit.json().get("items").size()).isEqualTo(1);
  }

  @Test
  void aSignedPaymentCreditsOnceAndABadOrStaleSignatureChangesNothing() {
    TestPlatform.TestTenant tenant = platform.tenant("wallet-stripe");
    // Non-ASCII on purpose: the signature covers the exact bytes sent.
    String checkout = """
        {"id":"evt_checkout_1","type":"checkout.session.completed","data":{"object":{"id":"cs_1",
        "payment_status":"paid","payment_intent":"pi_1","amount_total":2500,"currency":"eur",
        "customer_details":{"name":"Jürgen Müller"},"metadata":{"tenantId":"%s"}}}}""".formatted(tenant.id());
    ApiClient.Reply credited = webhook(checkout, Instant.now());
    assertThat(credited.status()).as("%s", credited).isEqualTo(200);
    assertThat(credited.json().get("status").asText()).isEqualTo("credited");
    assertThat(credited.json().get("reference").asText()).isEqualTo("stripe:pi_1");
    assertThat(balance(tenant)).isEqualTo(2_500);

    assertThat(webhook(checkout, Instant.now()).json().get("status").asText()).isEqualTo("duplicate");
    String intent = """
        {"id":"evt_intent_1","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1",
        "amount":2500,"amount_received":2500,"currency":"eur","metadata":{"tenantId":"%s"}}}}""".formatted(tenant.id());
    assertThat(webhook(intent, Instant.now()).status()).isEqualTo(200);
    assertThat(balance(tenant)).as("one payment, two events: credited once").isEqualTo(2_500);

    String another = checkout.replace("evt_checkout_1", "evt_checkout_2").replace("pi_1", "pi_2");
    ApiClient.Reply forged = api.call("POST", "/api/v1/payments/webhook")
        .header("Stripe-Signature", StripeSignature.header(another, "whsec_wrong_secret_000000", now()))
        .body(another).send();
    assertThat(forged.status()).isEqualTo(400);
    assertThat(forged.code()).isEqualTo("invalid_signature");
    ApiClient.Reply tampered = api.call("POST", "/api/v1/payments/webhook")
        .header("Stripe-Signature", StripeSignature.header(another, WEBHOOK_SECRET, now()))
        .body(another.replace("2500", "250000")).send();
    assertThat(tampered.code()).isEqualTo("invalid_signature");
    ApiClient.Reply stale = webhook(another, Instant.now().minus(Duration.ofMinutes(6)));
    assertThat(stale.status()).isEqualTo(400);
    assertThat(stale.code()).isEqualTo("stale_signature");
    assertThat(api.call("POST", "/api/v1/payments/webhook").body(another).send().code())
        .isEqualTo("missing_signature");
    assertThat(balance(tenant)).as("refused deliveries changed nothing").isEqualTo(2_500);
    assertThat(webhook(another, Instant.now()).json().get("status").asText())
        .as("the same event, properly signed, is still new").isEqualTo("credited");
    assertThat(balance(tenant)).isEqualTo(5_000);

    String unknownTenant = checkout.replace("evt_checkout_1", "evt_checkout_3").replace(tenant.id(), "no-such-tenant");
    ApiClient.Reply rejected = webhook(unknownTenant, Instant.now());
    assertThat(rejected.status()).as("200 so the provider stops retrying").isEqualTo(200);
    assertThat(rejected.json().get("status").asText()).isEqualTo("rejected");
    assertThat(rejected.json().get("reason").asText()).isEqualTo("unknown_tenant");
  }

  private ApiClient.Reply webhook(String payload, Instant signedAt) {
    return api.call("POST", "/api/v1/payments/webhook")
        .header("Stripe-Signature", StripeSignature.header(payload, WEBHOOK_SECRET, signedAt.getEpochSecond()))
        .body(payload).send();
  }

  private static long now() {
    return Instant.now().getEpochSecond();
  }

  @Test
  void theOperatorChangesThePlanWhichIsAuditedAndKeptInTheTenantsTable() {
    TestPlatform.TestTenant tenant = platform.tenant("wallet-plan");
    Map<String, Object> payg = Map.of("kind", "pay-as-you-go", "minuteRate", 45);
    assertThat(api.call("PUT", wallet(tenant) + "/plan").bearer(tenant.ownerToken()).body(payg).send().code())
        .isEqualTo("operator_only");
    ApiClient.Reply changed = api.call("PUT", wallet(tenant) + "/plan").bearer(operator).body(payg).send();
    assertThat(changed.status()).as("%s", changed).isEqualTo(200);
    assertThat(changed.json().at("/plan/kind").asText()).isEqualTo("pay-as-you-go");
    assertThat(api.call("GET", wallet(tenant) + "/plan").bearer(tenant.adminToken()).send().json()
        .at("/plan/minuteRate").asLong()).isEqualTo(45);

    assertThat(api.call("PUT", wallet(tenant) + "/plan").bearer(operator)
        .body(Map.of("kind", "trial", "freeMinutes", 10, "endsAt", "2030-01-01T00:00:00Z")).send().code())
        .isEqualTo("invalid_plan_change");
    assertThat(api.call("PUT", wallet(tenant) + "/plan").bearer(operator)
        .body(Map.of("kind", "pay-as-you-go", "minuteRate", 0)).send().code()).isEqualTo("validation_failed");
    assertThat(api.call("PUT", wallet(tenant) + "/plan").bearer(operator)
        .body(Map.of("kind", "gold", "minuteRate", 1)).send().status()).isEqualTo(400);

    ApiClient.Reply audit = api.call("GET", "/api/v1/tenants/" + tenant.id() + "/audit?action=wallet.plan_changed")
        .bearer(tenant.ownerToken()).send();
    assertThat(audit.json().get("items").size()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(api.call("GET",
        "/api/v1/tenants/" + tenant.id()).bearer(tenant.ownerToken()).send().json().get("plan").asText())
        .isEqualTo("pay-as-you-go"));
  }

  @Test
  void theLedgerPagesAndTheStatementReconcilesWithTheWallet() throws Exception {
    TestPlatform.TestTenant tenant = platform.tenant("wallet-ledger");
    api.call("PUT", wallet(tenant) + "/plan").bearer(operator)
        .body(Map.of("kind", "pay-as-you-go", "minuteRate", 30)).send();
    topUp(tenant, "k1", Map.of("amount", 10_000));
    topUp(tenant, "k2", Map.of("amount", 500, "kind", "refund"));
    for (int minute = 0; minute < 5; minute++) tick(tenant, "room-a", minute);
    tick(tenant, "room-a", 2);
    for (int minute = 0; minute < 3; minute++) tick(tenant, "room-b", minute);
    long balance = balance(tenant);
    assertThat(balance).isEqualTo(10_500 - 8 * 30);
    awaitLedgerEntries(tenant, 10);
    assertThat(platform.metrics()).as("the ledger projection reports its lag")
        .containsPattern("videoshop_projection_lag_seconds_count\\{[^}]*projection=\"ledger\"[^}]*} [1-9]")
        .containsPattern("videoshop_projection_failures\\{[^}]*projection=\"ledger\"[^}]*} 0");

    JsonNode page = api.call("GET", wallet(tenant) + "/ledger?type=debit&limit=3").bearer(tenant.ownerToken())
        .send().json();
    assertThat(page.get("items").size()).isEqualTo(3);
    assertThat(page.get("items").get(0).get("balanceAfter").asLong()).isEqualTo(balance);
    JsonNode next = api.call("GET", wallet(tenant) + "/ledger?type=debit&limit=10&cursor="
        + page.get("nextCursor").asLong()).bearer(tenant.ownerToken()).send().json();
    assertThat(next.get("items").size()).isEqualTo(5);
    assertThat(api.call("GET", wallet(tenant) + "/ledger?kind=refund").bearer(operator).send().json()
        .get("items").size()).isEqualTo(1);
    assertThat(api.call("GET", wallet(tenant) + "/ledger?type=sideways").bearer(operator).send().code())
        .isEqualTo("invalid_query");

    String month = YearMonth.now(ZoneOffset.UTC).toString();
    JsonNode statement = api.call("GET", wallet(tenant) + "/statement?month=" + month).bearer(tenant.adminToken())
        .send().json();
    assertThat(statement.get("openingBalance").asLong()).isZero();
    assertThat(statement.get("totalCredits").asLong()).isEqualTo(10_500);
    assertThat(statement.get("totalMinutes").asInt()).isEqualTo(8);
    assertThat(statement.get("totalUsage").asLong()).isEqualTo(240);
    assertThat(statement.get("closingBalance").asLong()).isEqualTo(balance);
    assertThat(statement.get("usage").get(0).get("minutes").asInt()).isEqualTo(8);

    ApiClient.Reply csv = api.call("GET", wallet(tenant) + "/statement.csv?month=" + month).bearer(operator).send();
    assertThat(csv.status()).isEqualTo(200);
    assertThat(csv.contentType()).startsWith("text/csv");
    assertThat(csv.body()).startsWith("line,date,reference,kind,minutes,amount,balance,currency\r\n")
        .contains("credit,", ",api:k1,top_up,,10000,,EUR").contains(",call_minute,8,-240,,EUR")
        .contains("closing_balance," + YearMonth.now(ZoneOffset.UTC).atEndOfMonth() + ",,,,," + balance + ",EUR");
    assertThat(api.call("GET", wallet(tenant) + "/statement?month=2999-01").bearer(operator).send().code())
        .isEqualTo("invalid_query");
    JsonNode usage = api.call("GET", wallet(tenant) + "/usage").bearer(tenant.ownerToken()).send().json();
    assertThat(usage.get("minutes").asInt()).isEqualTo(8);
    assertThat(usage.get("minuteAmount").asLong()).isEqualTo(240);
  }
}
