package io.videoshop.scheduling;

import static io.videoshop.http.ApiRoute.blocking;

import io.videoshop.domain.Caller;
import io.videoshop.domain.Role;
import io.videoshop.access.Users;
import io.videoshop.audit.AuditLog;
import io.videoshop.http.Access;
import io.videoshop.http.ApiError;
import io.videoshop.http.ApiRequest;
import io.videoshop.http.ApiResponse;
import io.videoshop.http.ApiRoute;
import io.videoshop.http.Blocking;
import io.videoshop.tenant.Tenant;
import io.videoshop.tenant.Tenants;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The admin and console side of scheduling: the booking policy, agents' working hours, the
 * slots, the list of bookings (an agent sees their own), and reassigning, rescheduling and
 * cancelling a booking. Translation only: the calendar decides, its refusals become problems.
 */
public final class SchedulingRoutes {
  static final Set<String> STATUSES = Set.of("booked", "cancelled", "attended", "no_show", "missed");
  static final int MAX_DAYS = 31;

  private SchedulingRoutes() {}

  public record ReassignRequest(String agentId) {}

  public record RescheduleRequest(String start) {}

  public record CancelRequest(String reason) {}

  /** {@code outcome}: attended (with the call's {@code roomId}) or no_show. */
  public record OutcomeRequest(String outcome, String roomId) {}

  /** A slot as the API shows it: UTC instants and the tenant's local start. */
  public record SlotView(Instant start, Instant end, String localStart, List<String> agentIds, int available) {}

  public record SlotList(String timeZone, List<SlotView> slots) {}

  public record WorkingHoursView(String agentId, WorkingHours hours) {}

  public record BookingView(String bookingId, String agentId, boolean agentChosen, Instant start, Instant end,
      String status, int sequence, Instant createdAt, Instant updatedAt) {
    static BookingView of(BookingCalendar.Booking booking) {
      return new BookingView(booking.id(), booking.agentId(), booking.agentChosen(), booking.start(), booking.end(),
          booking.status().name().toLowerCase(java.util.Locale.ROOT), booking.sequence(), booking.createdAt(),
          booking.updatedAt());
    }
  }

  public static List<ApiRoute> routes(Tenants tenants, Users users, BookingCalendars calendars, Bookings bookings,
      AuditLog audit, Blocking blocking) {
    String base = "/api/v1/tenants/{tenantId}";
    return List.of(
        new ApiRoute("GET", base + "/booking-policy", Access.tenant(Role.AGENT, "bookings:read"),
            "The tenant's booking policy", request -> calendars.<BookingCalendar.ScheduleReply>ask(
                request.path("tenantId"), BookingCalendar.GetSchedule::new)
                .thenApply(reply -> ApiResponse.ok(BookingCalendars.schedule(reply).policy()))),
        new ApiRoute("PUT", base + "/booking-policy", Access.tenant(Role.ADMIN, "bookings:write"),
            "Replace the booking policy", request -> {
              BookingPolicy policy = request.body(BookingPolicy.class);
              if (!policy.problems().isEmpty()) throw ApiError.invalid(policy.problems());
              String tenantId = request.path("tenantId");
              return calendars.<BookingCalendar.ScheduleReply>ask(tenantId,
                  replyTo -> new BookingCalendar.SetPolicy(policy, replyTo))
                  .thenApply(BookingCalendars::schedule)
                  .thenCompose(schedule -> blocking.run(() -> {
                    audit.record(request.caller(), new AuditLog.Change(tenantId, "booking_policy.replaced",
                        "booking_policy", tenantId, null, schedule.policy()));
                    return ApiResponse.ok(schedule.policy());
                  }));
            }),
        new ApiRoute("GET", base + "/agents/{userId}/working-hours", Access.tenant(Role.AGENT, "bookings:read"),
            "An agent's working hours for bookings", request -> {
              String tenantId = request.path("tenantId");
              String agentId = request.path("userId");
              return blocking.run(() -> users.get(tenantId, agentId))
                  .thenCompose(user -> calendars.<BookingCalendar.ScheduleReply>ask(tenantId, BookingCalendar.GetSchedule::new))
                  .thenApply(reply -> ApiResponse.ok(new WorkingHoursView(agentId, BookingCalendars.schedule(reply)
                      .agents().getOrDefault(agentId, WorkingHours.notBookable()))));
            }),
        new ApiRoute("PUT", base + "/agents/{userId}/working-hours", Access.tenant(Role.AGENT, "bookings:write"),
            "Set an agent's working hours (the agent themself, or an admin)", request -> {
              String tenantId = request.path("tenantId");
              String agentId = request.path("userId");
              selfOrAdmin(request.caller(), agentId);
              // The agent first (another tenant's is 404 whatever the body), then the body.
              return blocking.run(() -> {
                    users.get(tenantId, agentId);
                    WorkingHours hours = request.body(WorkingHours.class);
                    if (!hours.problems().isEmpty()) throw ApiError.invalid(hours.problems());
                    return hours;
                  })
                  .thenCompose(hours -> calendars.<BookingCalendar.ScheduleReply>ask(tenantId,
                      replyTo -> new BookingCalendar.SetWorkingHours(agentId, hours, replyTo)))
                  .thenApply(BookingCalendars::schedule)
                  .thenCompose(schedule -> blocking.run(() -> {
                    audit.record(request.caller(), new AuditLog.Change(tenantId, "working_hours.set", "user", agentId,
                        null, schedule.agents().get(agentId)));
                    return ApiResponse.ok(new WorkingHoursView(agentId, schedule.agents().get(agentId)));
                  }));
            }),
        new ApiRoute("GET", base + "/slots", Access.tenant(Role.AGENT, "bookings:read"),
            "Bookable slots (from, days, optional agentId)", request -> {
              String tenantId = request.path("tenantId");
              Optional<String> agent = request.query("agentId");
              return blocking.run(() -> tenant(tenants, tenantId)).thenCompose(tenant -> {
                Range range = Range.of(request, tenant.settings().zone());
                return calendars.<BookingCalendar.Slots>ask(tenantId, replyTo -> new BookingCalendar.GetSlots(
                        BookingCalendars.hoursOf(tenant), range.from(), range.to(), agent.orElse(null), replyTo))
                    .thenApply(slots -> ApiResponse.ok(new SlotList(tenant.settings().timeZone(), slots.slots().stream()
                        .map(slot -> new SlotView(slot.start(), slot.end(),
                            slot.start().atZone(tenant.settings().zone()).toLocalDateTime().toString(), slot.agentIds(),
                            slot.agentIds().size())).toList())));
              });
            }),
        blocking("GET", base + "/bookings", Access.tenant(Role.AGENT, "bookings:read"),
            "Bookings, filtered (agentId, status, from, to); an agent sees their own", blocking, request -> {
              Caller caller = request.caller();
              Optional<String> agent = request.query("agentId");
              if (!caller.isOperator() && !caller.isApiKey() && caller.role() == Role.AGENT) {
                if (agent.isPresent() && !agent.get().equals(caller.id())) {
                  throw ApiError.forbidden("forbidden", "Agents see their own bookings only");
                }
                agent = Optional.of(caller.id());
              }
              Optional<String> status = request.query("status");
              if (status.isPresent() && !STATUSES.contains(status.get())) {
                throw ApiError.badRequest("invalid_query", "Query parameter status must be one of " + STATUSES);
              }
              return ApiResponse.ok(bookings.list(request.path("tenantId"), new Bookings.Filter(agent, status,
                  request.instantQuery("from"), request.instantQuery("to"),
                  request.intQuery("limit", 50, 1, Bookings.MAX_PAGE), request.intQuery("offset", 0, 0, 1_000_000))));
            }),
        new ApiRoute("POST", base + "/bookings/{bookingId}/reassign", Access.tenant(Role.ADMIN, "bookings:write"),
            "Give a booking to another agent (free at its time)", request -> {
              String tenantId = request.path("tenantId");
              return existing(calendars, request).thenCompose(found -> {
                ReassignRequest body = request.body(ReassignRequest.class);
                if (body.agentId() == null || body.agentId().isBlank() || body.agentId().length() > 64) {
                  throw ApiError.invalid("agentId", "required", "is required");
                }
                return blocking.run(() -> tenant(tenants, tenantId))
                  .thenCompose(tenant -> calendars.<BookingCalendar.BookingReply>ask(tenantId, replyTo ->
                      new BookingCalendar.Reassign(BookingCalendars.hoursOf(tenant), request.path("bookingId"),
                          body.agentId(), replyTo)))
                  .thenCompose(reply -> audited(audit, blocking, request, "booking.reassigned", reply));
              });
            }),
        new ApiRoute("POST", base + "/bookings/{bookingId}/reschedule", Access.tenant(Role.ADMIN, "bookings:write"),
            "Move a booking to another slot (no change notice applies)", request -> {
              String tenantId = request.path("tenantId");
              return existing(calendars, request).thenCompose(found -> {
                Instant start = start(request.body(RescheduleRequest.class).start());
                return blocking.run(() -> tenant(tenants, tenantId))
                  .thenCompose(tenant -> calendars.<BookingCalendar.BookingReply>ask(tenantId, replyTo ->
                      new BookingCalendar.Reschedule(BookingCalendars.hoursOf(tenant), request.path("bookingId"), start,
                          false, replyTo)))
                  .thenCompose(reply -> audited(audit, blocking, request, "booking.rescheduled", reply));
              });
            }),
        new ApiRoute("POST", base + "/bookings/{bookingId}/cancel", Access.tenant(Role.ADMIN, "bookings:write"),
            "Cancel a booking (no change notice applies)", request -> {
              CancelRequest body = request.body(CancelRequest.class);
              if (body.reason() != null && body.reason().length() > 500) {
                throw ApiError.invalid("reason", "too_long", "at most 500 characters");
              }
              return calendars.<BookingCalendar.BookingReply>ask(request.path("tenantId"), replyTo ->
                      new BookingCalendar.Cancel(request.path("bookingId"), body.reason(), false, replyTo))
                  .thenCompose(reply -> audited(audit, blocking, request, "booking.cancelled", reply));
            }),
        new ApiRoute("POST", base + "/bookings/{bookingId}/outcome", Access.tenant(Role.AGENT, "bookings:write"),
            "Record how a booking turned out once its time has come: attended (with the room id) or no_show; "
                + "an agent for their own bookings, an admin for any", request -> {
              OutcomeRequest body = request.body(OutcomeRequest.class);
              // Anything else is null: the calendar refuses it once it knows the booking (404 first, not 422).
              BookingCalendar.Outcome outcome = switch (body.outcome() == null ? "" : body.outcome()) {
                case "attended" -> BookingCalendar.Outcome.ATTENDED;
                case "no_show" -> BookingCalendar.Outcome.NO_SHOW;
                default -> null;
              };
              Caller caller = request.caller();
              String onlyFor = caller.isOperator() || caller.isApiKey() || caller.role().atLeast(Role.ADMIN)
                  ? null : caller.id();
              return calendars.<BookingCalendar.BookingReply>ask(request.path("tenantId"), replyTo ->
                      new BookingCalendar.RecordOutcome(request.path("bookingId"), outcome, body.roomId(), onlyFor,
                          replyTo))
                  .thenCompose(reply -> audited(audit, blocking, request, "booking.outcome_recorded", reply));
            }));
  }

  private static java.util.concurrent.CompletionStage<ApiResponse> audited(AuditLog audit, Blocking blocking,
      ApiRequest request, String action, BookingCalendar.BookingReply reply) {
    BookingView view = BookingView.of(BookingCalendars.accepted(reply));
    return blocking.run(() -> {
      audit.record(request.caller(), new AuditLog.Change(request.path("tenantId"), action, "booking", view.bookingId(),
          null, view));
      return ApiResponse.ok(view);
    });
  }

  /** The booking the path names, in the path's tenant: 404 {@code booking_not_found} before the body is read. */
  private static java.util.concurrent.CompletionStage<BookingCalendar.Booking> existing(BookingCalendars calendars,
      ApiRequest request) {
    return calendars.<BookingCalendar.BookingReply>ask(request.path("tenantId"),
        replyTo -> new BookingCalendar.GetBooking(request.path("bookingId"), replyTo)).thenApply(BookingCalendars::accepted);
  }

  static void selfOrAdmin(Caller caller, String agentId) {
    if (caller.isOperator() || caller.isApiKey() || caller.role().atLeast(Role.ADMIN)) return;
    if (!agentId.equals(caller.id())) {
      throw ApiError.forbidden("forbidden", "Agents set their own working hours only; an admin sets anyone's");
    }
  }

  static Tenant tenant(Tenants tenants, String tenantId) {
    return tenants.find(tenantId).orElseThrow(() -> ApiError.notFound("tenant_not_found", "No tenant " + tenantId));
  }

  /** An ISO-8601 instant in a body; 422 otherwise. */
  static Instant start(String value) {
    try {
      if (value == null || value.length() > 40) throw new DateTimeParseException("", "", 0);
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw ApiError.invalid("start", "invalid_instant", "must be an ISO-8601 instant such as 2026-12-01T09:00:00Z");
    }
  }

  /** {@code from} (a date, default today) and {@code days} (1 to 31, default 7) in a zone. */
  record Range(Instant from, Instant to) {
    static Range of(ApiRequest request, ZoneId zone) {
      LocalDate from;
      try {
        from = request.query("from").map(LocalDate::parse).orElse(LocalDate.now(zone));
      } catch (DateTimeParseException e) {
        throw ApiError.badRequest("invalid_query", "Query parameter from must be a date such as 2026-12-01");
      }
      int days = request.intQuery("days", 7, 1, MAX_DAYS);
      return new Range(from.atStartOfDay(zone).toInstant(), from.plusDays(days).atStartOfDay(zone).toInstant());
    }
  }

}
