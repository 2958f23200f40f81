package io.videoshop.webhook;

import java.util.Set;

/** The catalog of event types an endpoint may subscribe to (docs/webhooks.md, "Events"). */
public final class WebhookEvents {
  public static final Set<String> TYPES = Set.of(
      "ticket.queued", "ticket.left", "ticket.abandoned", "reservation.timed_out",
      "call.started", "call.ended", "call.wrapped_up", "call.feedback", "cart.item_added",
      "booking.created", "booking.rescheduled", "booking.cancelled", "booking.no_show",
      "wallet.low_balance", "wallet.credited", "subject.erased", "ping");

  private WebhookEvents() {}
}
