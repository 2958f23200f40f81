package io.videoshop.webhook;

import io.videoshop.queue.TenantQueue;
import io.videoshop.room.CallRoom;
import io.videoshop.scheduling.BookingCalendar;
import io.videoshop.wallet.BalanceLevel;
import io.videoshop.wallet.Wallet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * Which journal events become which webhook events (the catalog in docs/webhooks.md), as pure
 * functions of the event and what the entity's earlier events left in a {@link Context}: a call's
 * agent, ticket, products and cart; a ticket's join time. Used by the live projection (context
 * in a table, same transaction as the offset) and by a replay (context in memory).
 */
public final class WebhookCatalog {
  private WebhookCatalog() {}

  /** What later events of an entity need from its earlier ones; never personal data. */
  public interface Context {
    Optional<Map<String, Object>> get(String key);

    void put(String key, Map<String, Object> facts);

    void remove(String key);
  }

  /** The webhook event a journal event makes, if any; updates the context as it goes. */
  public static Optional<WebhookEvent> translate(String persistenceId, long sequence, Object event, Context context) {
    String entityId = PersistenceId.extractEntityId(persistenceId);
    Builder at = new Builder(persistenceId, sequence);
    if (event instanceof TenantQueue.Event e) return queue(at, entityId, e, context);
    if (event instanceof CallRoom.Event e) return room(at, entityId, e, context);
    if (event instanceof Wallet.Event e) return wallet(at, entityId, e);
    if (event instanceof BookingCalendar.Event e) return calendar(at, entityId, e);
    return Optional.empty();
  }

  private record Builder(String entity, long sequence) {
    Optional<WebhookEvent> event(String type, String tenantId, Instant timestamp, Map<String, Object> data,
        WebhookEvent.Personal personal) {
      Map<String, Object> all = new LinkedHashMap<>();
      all.put("tenantId", tenantId);
      all.putAll(data);
      return Optional.of(new WebhookEvent(type, tenantId, entity, sequence, timestamp, all, personal));
    }

    Optional<WebhookEvent> event(String type, String tenantId, Instant timestamp, Map<String, Object> data) {
      return event(type, tenantId, timestamp, data, null);
    }
  }

  private static Map<String, Object> data(Object... keysAndValues) {
    Map<String, Object> data = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) data.put((String) keysAndValues[i], keysAndValues[i + 1]);
    return data;
  }

  private static String ticketKey(String tenantId, String ticketId) {
    return "ticket|" + tenantId + "|" + ticketId;
  }

  private static Optional<WebhookEvent> queue(Builder at, String tenantId, TenantQueue.Event event, Context context) {
    if (event instanceof TenantQueue.TicketJoined joined) {
      var ticket = joined.ticket();
      var details = ticket.details();
      context.put(ticketKey(tenantId, ticket.ticketId()), data("joinedAt", ticket.joinedAt().toString()));
      return at.event("ticket.queued", tenantId, ticket.joinedAt(), data("ticketId", ticket.ticketId(),
              "bookingId", ticket.booking() == null ? null : ticket.booking().bookingId(),
              "language", details.language(), "productInterest", details.productInterest()),
          new WebhookEvent.Personal(details.subjectId(), details.name(), details.email(), details.phone()));
    }
    if (event instanceof TenantQueue.TicketLeft left) {
      return at.event("ticket.left", tenantId, left.at(), data("ticketId", left.ticketId(),
          "waitedSeconds", waited(context, ticketKey(tenantId, left.ticketId()), left.at())));
    }
    if (event instanceof TenantQueue.TicketAbandoned abandoned) {
      return at.event("ticket.abandoned", tenantId, abandoned.at(), data("ticketId", abandoned.ticketId(),
          "reason", abandoned.reason().name().toLowerCase(),
          "waitedSeconds", waited(context, ticketKey(tenantId, abandoned.ticketId()), abandoned.at())));
    }
    if (event instanceof TenantQueue.ReservationAccepted accepted) {
      context.remove(ticketKey(tenantId, accepted.ticketId())); // assigned: it neither leaves nor is abandoned
      return Optional.empty();
    }
    if (event instanceof TenantQueue.ReservationReleased released
        && released.reason() == TenantQueue.ReleaseReason.EXPIRED) {
      return at.event("reservation.timed_out", tenantId, released.at(), data("ticketId", released.ticketId(),
          "reservationId", released.reservationId(), "agentId", released.agentId()));
    }
    return Optional.empty();
  }

  /** Seconds since the ticket joined (null when its join is unknown); the ticket's context is done. */
  private static Long waited(Context context, String key, Instant at) {
    Optional<Map<String, Object>> facts = context.get(key);
    context.remove(key);
    return facts.map(f -> Duration.between(Instant.parse((String) f.get("joinedAt")), at).toSeconds()).orElse(null);
  }

  private static String roomKey(String roomId) {
    return "room|" + roomId;
  }

  @SuppressWarnings("unchecked")
  private static Optional<WebhookEvent> room(Builder at, String roomId, CallRoom.Event event, Context context) {
    if (event instanceof CallRoom.RoomOpened opened) {
      context.put(roomKey(roomId), data("tenantId", opened.tenantId(), "agentId", opened.agentId(),
          "ticketId", opened.ticketId(), "productsShown", List.of(), "addedToCart", List.of()));
      return Optional.empty();
    }
    Optional<Map<String, Object>> known = context.get(roomKey(roomId));
    if (known.isEmpty()) return Optional.empty(); // opened before this projection's journal: no tenant to send to
    Map<String, Object> room = new LinkedHashMap<>(known.get());
    String tenantId = (String) room.get("tenantId");
    if (event instanceof CallRoom.CallStarted started) {
      return at.event("call.started", tenantId, started.at(), data("callId", roomId, "agentId", room.get("agentId"),
          "ticketId", room.get("ticketId")));
    }
    if (event instanceof CallRoom.ProductShown shown) {
      List<String> skus = new ArrayList<>((List<String>) room.get("productsShown"));
      if (!skus.contains(shown.product().sku())) skus.add(shown.product().sku());
      room.put("productsShown", skus);
      context.put(roomKey(roomId), room);
      return Optional.empty();
    }
    if (event instanceof CallRoom.AddedToCart added) {
      List<String> skus = new ArrayList<>((List<String>) room.get("addedToCart"));
      skus.add(added.sku());
      room.put("addedToCart", skus);
      context.put(roomKey(roomId), room);
      return at.event("cart.item_added", tenantId, added.at(), data("callId", roomId, "agentId", room.get("agentId"),
          "sku", added.sku(), "quantity", 1));
    }
    if (event instanceof CallRoom.CallEnded ended) {
      return at.event("call.ended", tenantId, ended.at(), data("callId", roomId, "agentId", room.get("agentId"),
          "ticketId", room.get("ticketId"), "durationSeconds", ended.durationSeconds(), "reason", ended.reason(),
          "endedBy", ended.endedBy(), "outcome", room.get("outcome"), "productsShown", room.get("productsShown"),
          "addedToCart", room.get("addedToCart")));
    }
    if (event instanceof CallRoom.WrappedUp wrapped) {
      room.put("outcome", wrapped.outcome());
      context.put(roomKey(roomId), room);
      return at.event("call.wrapped_up", tenantId, wrapped.at(), data("callId", roomId,
          "agentId", room.get("agentId"), "outcome", wrapped.outcome()));
    }
    if (event instanceof CallRoom.FeedbackGiven feedback) {
      return at.event("call.feedback", tenantId, feedback.at(), data("callId", roomId, "rating", feedback.rating()));
    }
    return Optional.empty();
  }

  private static Optional<WebhookEvent> wallet(Builder at, String tenantId, Wallet.Event event) {
    if (event instanceof Wallet.BalanceLevelChanged changed && changed.to() == BalanceLevel.LOW
        && changed.from() == BalanceLevel.OK) {
      return at.event("wallet.low_balance", tenantId, changed.at(), data("minutesLeft", changed.minutesLeft(),
          "balance", changed.balance()));
    }
    if (event instanceof Wallet.Credited credited) {
      return at.event("wallet.credited", tenantId, credited.at(), data("amount", credited.amount(),
          "balanceAfter", credited.balanceAfter(), "kind", credited.kind().code(),
          "reference", credited.reference()));
    }
    return Optional.empty();
  }

  private static Optional<WebhookEvent> calendar(Builder at, String tenantId, BookingCalendar.Event event) {
    if (event instanceof BookingCalendar.BookingMade made) {
      var booking = made.booking();
      var details = booking.details();
      return at.event("booking.created", tenantId, made.at(), data("bookingId", booking.id(),
              "agentId", booking.agentId(), "startsAt", booking.start().toString(), "endsAt", booking.end().toString(),
              "productInterest", details.productInterest()),
          new WebhookEvent.Personal(details.subjectId(), details.name(), details.email(), details.phone()));
    }
    if (event instanceof BookingCalendar.BookingRescheduled moved) {
      return at.event("booking.rescheduled", tenantId, moved.at(), data("bookingId", moved.bookingId(),
          "agentId", moved.agentId(), "startsAt", moved.start().toString(), "endsAt", moved.end().toString()));
    }
    if (event instanceof BookingCalendar.BookingCancelled cancelled) {
      // The reason is the canceller's free text (erased with the shopper): not sent.
      return at.event("booking.cancelled", tenantId, cancelled.at(), data("bookingId", cancelled.bookingId(),
          "by", cancelled.byShopper() ? "shopper" : "merchant"));
    }
    if (event instanceof BookingCalendar.BookingOutcomeRecorded outcome
        && outcome.outcome() == BookingCalendar.Outcome.NO_SHOW) {
      return at.event("booking.no_show", tenantId, outcome.at(), data("bookingId", outcome.bookingId()));
    }
    return Optional.empty();
  }
}
