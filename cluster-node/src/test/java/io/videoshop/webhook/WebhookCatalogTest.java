package io.videoshop.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.http.Json;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.queue.TenantQueue;
import io.videoshop.queue.Ticket;
import io.videoshop.queue.TicketDetails;
import io.videoshop.room.CallRoom;
import io.videoshop.scheduling.BookingCalendar;
import io.videoshop.scheduling.BookingDetails;
import io.videoshop.wallet.BalanceLevel;
import io.videoshop.wallet.Wallet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The catalog's translation as pure functions, without actors or a database: which journal events
 * become which webhook events, what the context carries from one event of an entity to the next,
 * and that every type's fields are the ones docs/webhooks.md shows (the queue and call types are
 * also checked against what a real node sends, in {@link WebhookEventsTest}).
 */
class WebhookCatalogTest {
  private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");
  private static final EncryptedPersonalData SEALED = new EncryptedPersonalData("shopper-s_1", "c2VhbGVk");

  /** The catalog table of docs/webhooks.md: type to the fields of its {@code data} example. */
  static Map<String, Set<String>> documentedFields() throws IOException {
    String docs = Files.readString(Path.of("..", "docs", "webhooks.md"));
    Matcher row = Pattern.compile("^\\| `([a-z_.]+)` \\| `(\\{.*\\})` \\|$", Pattern.MULTILINE).matcher(docs);
    Map<String, Set<String>> documented = new HashMap<>();
    while (row.find()) documented.put(row.group(1), fields(Json.MAPPER.readTree(row.group(2))));
    return documented;
  }

  static Set<String> fields(JsonNode object) {
    Set<String> names = new TreeSet<>();
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) names.add(it.next());
    return names;
  }

  private static WebhookEvent one(String pid, long seq, Object event, WebhookReplay.MemoryContext context) {
    return WebhookCatalog.translate(pid, seq, event, context).orElseThrow(() -> new AssertionError("none for " + event));
  }

  private static void assertDocumented(Map<String, Set<String>> documented, WebhookEvent event) {
    assertThat(documented.get(event.type())).as(event.type()).isEqualTo(new TreeSet<>(event.data().keySet()));
  }

  @Test
  void everyTypeIsDocumentedWithTheFieldsItCarries() throws IOException {
    Map<String, Set<String>> documented = documentedFields();
    assertThat(documented.keySet()).containsAll(WebhookEvents.TYPES);
    WebhookReplay.MemoryContext context = new WebhookReplay.MemoryContext();
    String queue = "TenantQueue|t_1";
    TicketDetails details = new TicketDetails("shopper-s_1", SEALED, SEALED, null, null, "de", Set.of(),
        "running shoes", null, false);
    WebhookEvent queued = one(queue, 3, new TenantQueue.TicketJoined(new Ticket("tk_1", details, "hash", T, null)),
        context);
    assertThat(queued.personal().subjectId()).isEqualTo("shopper-s_1");
    assertThat(queued.data()).doesNotContainKeys("name", "email", "phone");
    assertDocumented(documented, queued);
    assertDocumented(documented, one(queue, 4, new TenantQueue.ReservationReleased("r_1", "tk_1", "u_9a",
        TenantQueue.ReleaseReason.EXPIRED, T.plusSeconds(20)), context));
    WebhookEvent abandoned = one(queue, 5, new TenantQueue.TicketAbandoned("tk_1",
        TenantQueue.AbandonReason.RECONNECT_GRACE_EXPIRED, T.plusSeconds(600)), context);
    assertThat(abandoned.data()).containsEntry("waitedSeconds", 600L).containsEntry("reason", "reconnect_grace_expired");
    assertDocumented(documented, abandoned);
    assertThat(context.facts).as("the ticket's context is done with").isEmpty();

    String wallet = "Wallet|t_1";
    assertDocumented(documented, one(wallet, 7, new Wallet.Credited("topup_1", Wallet.CreditKind.TOP_UP, 5000, 6500,
        null, T), context));
    assertDocumented(documented, one(wallet, 8, new Wallet.BalanceLevelChanged(BalanceLevel.OK, BalanceLevel.LOW, 1500,
        30L, T), context));

    String calendar = "BookingCalendar|t_1";
    BookingDetails booked = new BookingDetails("shopper-s_2", SEALED, SEALED, null, null, null, "Europe/Berlin", true);
    WebhookEvent created = one(calendar, 2, new BookingCalendar.BookingMade(new BookingCalendar.Booking("b_1", "u_9a",
        true, T, T.plusSeconds(1800), BookingCalendar.Status.BOOKED, 0, booked, T, T, null, null), T), context);
    assertThat(created.personal().subjectId()).isEqualTo("shopper-s_2");
    assertDocumented(documented, created);
    assertDocumented(documented, one(calendar, 3, new BookingCalendar.BookingRescheduled("b_1", "u_9a",
        T.plusSeconds(86_400), T.plusSeconds(88_200), 1, T), context));
    WebhookEvent cancelled = one(calendar, 4, new BookingCalendar.BookingCancelled("b_1", "moving away, call me at 0171",
        true, 2, T), context);
    assertThat(cancelled.data()).as("the free-text reason is not sent").doesNotContainValue("moving away, call me at 0171");
    assertDocumented(documented, cancelled);
    assertDocumented(documented, one(calendar, 5, new BookingCalendar.BookingOutcomeRecorded("b_2",
        BookingCalendar.Outcome.NO_SHOW, null, T), context));
  }

  @Test
  void aCallsEndCarriesItsAgentProductsAndCartFromTheRoomsEarlierEvents() throws IOException {
    WebhookReplay.MemoryContext context = new WebhookReplay.MemoryContext();
    String room = "CallRoom|c_1";
    assertThat(WebhookCatalog.translate(room, 1, new CallRoom.RoomOpened("c_1", "t_1", "tk_1", "u_9a", "shopper-s_1",
        30, 60, T), context)).isEmpty();
    assertThat(one(room, 2, new CallRoom.CallStarted(T), context).data()).containsEntry("agentId", "u_9a")
        .containsEntry("ticketId", "tk_1").containsEntry("tenantId", "t_1");
    var product = new CallRoom.Product("sku-7", "Trail shoe", null, "89.00 EUR", null);
    assertThat(WebhookCatalog.translate(room, 3, new CallRoom.ProductShown(product, T), context)).isEmpty();
    assertThat(WebhookCatalog.translate(room, 4, new CallRoom.ProductShown(product, T), context)).isEmpty();
    assertThat(one(room, 5, new CallRoom.AddedToCart("sku-7", T), context).type()).isEqualTo("cart.item_added");
    WebhookEvent ended = one(room, 6, new CallRoom.CallEnded("hung-up", "agent", 412, T), context);
    assertThat(ended.sequence()).isEqualTo(6);
    assertThat(ended.entity()).isEqualTo(room);
    assertThat(ended.data()).containsEntry("durationSeconds", 412L)
        .containsEntry("productsShown", java.util.List.of("sku-7")).containsEntry("addedToCart", java.util.List.of("sku-7"))
        .containsEntry("outcome", null);
    assertDocumented(documentedFields(), ended);
    assertThat(one(room, 7, new CallRoom.WrappedUp("sale", null, T), context).data()).containsEntry("outcome", "sale");
    assertThat(one(room, 8, new CallRoom.FeedbackGiven(5, null, T), context).data()).containsEntry("rating", 5);
    // A room whose opening this reader never saw has no tenant to send to: nothing, not a guess.
    assertThat(WebhookCatalog.translate("CallRoom|c_2", 9, new CallRoom.CallEnded("hung-up", null, 1, T), context))
        .isEmpty();
  }

  @Test
  void eventsOutsideTheCatalogMakeNothing() {
    WebhookReplay.MemoryContext context = new WebhookReplay.MemoryContext();
    assertThat(WebhookCatalog.translate("TenantQueue|t_1", 1, new TenantQueue.TicketDisconnected("tk_1", T), context))
        .isEmpty();
    assertThat(WebhookCatalog.translate("TenantQueue|t_1", 2, new TenantQueue.ReservationReleased("r_1", "tk_1", "u_9a",
        TenantQueue.ReleaseReason.REJECTED, T), context)).as("only a timed-out offer").isEmpty();
    assertThat(WebhookCatalog.translate("Wallet|t_1", 3, new Wallet.BalanceLevelChanged(BalanceLevel.LOW,
        BalanceLevel.OK, 9000, 300L, T), context)).as("back to ok is no low balance").isEmpty();
  }

  @Test
  void aReplayFromTheFutureIsRefusedBeforeAnythingIsRead() {
    WebhookReplay replay = new WebhookReplay(null, null, null, null, null, Clock.fixed(T, ZoneOffset.UTC));
    assertThatThrownBy(() -> replay.start(io.videoshop.domain.Caller.system("test"), "t_1", "whep_1", T.plusSeconds(1)))
        .isInstanceOfSatisfying(WebhookRefused.class, refused -> assertThat(refused.code()).isEqualTo("in_future"));
    assertThatThrownBy(() -> replay.start(io.videoshop.domain.Caller.system("test"), "t_1", "whep_1", null))
        .isInstanceOfSatisfying(WebhookRefused.class, refused -> assertThat(refused.code()).isEqualTo("required"));
  }
}
