package io.videoshop.scheduling;

import io.videoshop.domain.DomainError;
import io.videoshop.domain.FieldError;
import io.videoshop.tenant.Tenant;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.japi.function.Function;

/** Reaches tenants' booking calendars through Cluster Sharding, and maps their refusals to problems at the edge. */
public final class BookingCalendars {
  private final ClusterSharding sharding;
  private final Duration askTimeout;

  public BookingCalendars(ActorSystem<?> system, Duration askTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.askTimeout = askTimeout;
  }

  /** The zone and hours the tenant's settings give now. */
  public static BookingCalendar.TenantHours hoursOf(Tenant tenant) {
    return new BookingCalendar.TenantHours(tenant.settings().timeZone(), tenant.settings().businessHours());
  }

  /** Asks a tenant's calendar; one that does not answer in time is 503 {@code calendar_unavailable}. */
  public <R> CompletionStage<R> ask(String tenantId, Function<ActorRef<R>, BookingCalendar.Command> command) {
    return sharding.entityRefFor(BookingCalendar.ENTITY_KEY, tenantId).<R>ask(command::apply, askTimeout)
        .exceptionally(failure -> {
          Throwable cause = failure instanceof CompletionException && failure.getCause() != null
              ? failure.getCause() : failure;
          if (cause instanceof DomainError error) throw error;
          throw DomainError.unavailable("calendar_unavailable",
              "The booking calendar did not answer in time; try again");
        });
  }

  /** A booking the calendar accepted, or its refusal as a problem. */
  public static BookingCalendar.Booking accepted(BookingCalendar.BookingReply reply) {
    if (reply instanceof BookingCalendar.BookingAccepted accepted) return accepted.booking();
    throw problemFor(((BookingCalendar.Refused) reply).reason());
  }

  public static BookingCalendar.Schedule schedule(BookingCalendar.ScheduleReply reply) {
    if (reply instanceof BookingCalendar.Schedule schedule) return schedule;
    throw problemFor(((BookingCalendar.Refused) reply).reason());
  }

  /** Each refusal's status and stable code (listed in docs/access.md). */
  public static DomainError problemFor(BookingRefusal refusal) {
    return switch (refusal) {
      case SLOT_TAKEN -> DomainError.conflict("slot_taken", "That time was just taken; pick another slot");
      case SLOT_IN_PAST -> DomainError.unprocessable("slot_in_past", "The slot starts in the past",
          List.of(new FieldError("start", "slot_in_past", "starts in the past")));
      case SLOT_TOO_SOON -> outside(refusal, "The slot starts sooner than the booking policy's minimum notice");
      case SLOT_TOO_FAR -> outside(refusal, "The slot starts further ahead than the booking policy allows");
      case SLOT_NOT_OFFERED -> outside(refusal, "No slot starts then (outside the hours or off the slot grid)");
      case AGENT_NOT_BOOKABLE -> DomainError.unprocessable("agent_not_bookable", "That agent does not take bookings", List.of(new FieldError("agentId", "agent_not_bookable",
              "does not take bookings")));
      case BOOKING_NOT_FOUND -> DomainError.notFound("booking_not_found", "No such booking");
      case BOOKING_CANCELLED -> DomainError.conflict("booking_cancelled", "The booking was cancelled");
      case CHANGE_TOO_LATE -> DomainError.conflict("change_too_late",
          "It is too close to the booking's start to change it; contact the shop");
      case BOOKING_EXISTS -> DomainError.conflict("booking_exists", "A booking with this id exists");
      case INVALID_DETAILS -> DomainError.invalid("body", "invalid_details", "Name, email and consent are required");
      case INVALID_POLICY -> DomainError.invalid("body", "invalid_policy", "The booking policy is not acceptable");
      case INVALID_WORKING_HOURS -> DomainError.invalid("body", "invalid_working_hours", "The working hours are not acceptable");
      case OUTCOME_TOO_EARLY -> DomainError.conflict("outcome_too_early", "The booking's time has not come yet");
      case OUTCOME_RECORDED -> DomainError.conflict("outcome_recorded", "The booking's outcome was recorded already");
      case INVALID_OUTCOME -> DomainError.invalid("outcome", "invalid_outcome",
          "must be attended (with the call's roomId, at most 64 characters) or no_show");
      case NOT_YOUR_BOOKING -> DomainError.forbidden("forbidden", "Agents record the outcome of their own bookings only");
      case ARRIVAL_TOO_EARLY -> DomainError.conflict("arrival_too_early", "The booking's time has not come yet; come back shortly before it");
      case BOOKING_OVER -> DomainError.conflict("booking_over", "The booking's time is over");
    };
  }

  /** 422 {@code slot_outside_policy}, the precise reason as the field error's code. */
  private static DomainError outside(BookingRefusal refusal, String message) {
    return DomainError.unprocessable("slot_outside_policy", message,
        List.of(new FieldError("start", refusal.code(), message)));
  }
}
