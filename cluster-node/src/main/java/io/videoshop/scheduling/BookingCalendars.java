package io.videoshop.scheduling;

import io.videoshop.http.ApiError;
import io.videoshop.http.FieldError;
import io.videoshop.tenant.Tenant;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.StatusCodes;
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
          if (cause instanceof ApiError error) throw error;
          throw new ApiError(StatusCodes.SERVICE_UNAVAILABLE, "calendar_unavailable",
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
  public static ApiError problemFor(BookingRefusal refusal) {
    return switch (refusal) {
      case SLOT_TAKEN -> ApiError.conflict("slot_taken", "That time was just taken; pick another slot");
      case SLOT_IN_PAST -> new ApiError(StatusCodes.UNPROCESSABLE_ENTITY, "slot_in_past", "The slot starts in the past",
          List.of(new FieldError("start", "slot_in_past", "starts in the past")), null);
      case SLOT_TOO_SOON -> outside(refusal, "The slot starts sooner than the booking policy's minimum notice");
      case SLOT_TOO_FAR -> outside(refusal, "The slot starts further ahead than the booking policy allows");
      case SLOT_NOT_OFFERED -> outside(refusal, "No slot starts then (outside the hours or off the slot grid)");
      case AGENT_NOT_BOOKABLE -> new ApiError(StatusCodes.UNPROCESSABLE_ENTITY, "agent_not_bookable",
          "That agent does not take bookings", List.of(new FieldError("agentId", "agent_not_bookable",
              "does not take bookings")), null);
      case BOOKING_NOT_FOUND -> ApiError.notFound("booking_not_found", "No such booking");
      case BOOKING_CANCELLED -> ApiError.conflict("booking_cancelled", "The booking was cancelled");
      case CHANGE_TOO_LATE -> ApiError.conflict("change_too_late",
          "It is too close to the booking's start to change it; contact the shop");
      case BOOKING_EXISTS -> ApiError.conflict("booking_exists", "A booking with this id exists");
      case INVALID_DETAILS -> ApiError.invalid("body", "invalid_details", "Name, email and consent are required");
      case INVALID_POLICY -> ApiError.invalid("body", "invalid_policy", "The booking policy is not acceptable");
      case INVALID_WORKING_HOURS -> ApiError.invalid("body", "invalid_working_hours", "The working hours are not acceptable");
      case OUTCOME_TOO_EARLY -> ApiError.conflict("outcome_too_early", "The booking's time has not come yet");
      case OUTCOME_RECORDED -> ApiError.conflict("outcome_recorded", "The booking's outcome was recorded already");
      case INVALID_OUTCOME -> ApiError.invalid("outcome", "invalid_outcome",
          "must be attended (with the call's roomId, at most 64 characters) or no_show");
      case NOT_YOUR_BOOKING -> ApiError.forbidden("forbidden", "Agents record the outcome of their own bookings only");
      case ARRIVAL_TOO_EARLY -> ApiError.conflict("arrival_too_early", "The booking's time has not come yet; come back shortly before it");
      case BOOKING_OVER -> ApiError.conflict("booking_over", "The booking's time is over");
    };
  }

  /** 422 {@code slot_outside_policy}, the precise reason as the field error's code. */
  private static ApiError outside(BookingRefusal refusal, String message) {
    return new ApiError(StatusCodes.UNPROCESSABLE_ENTITY, "slot_outside_policy", message,
        List.of(new FieldError("start", refusal.code(), message)), null);
  }
}
