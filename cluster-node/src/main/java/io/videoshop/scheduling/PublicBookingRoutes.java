package io.videoshop.scheduling;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.options;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefixTest;
import static org.apache.pekko.http.javadsl.server.Directives.respondWithHeaders;

import io.videoshop.access.WidgetKeys;
import io.videoshop.http.Access;
import io.videoshop.http.ApiError;
import io.videoshop.privacy.Consents;
import io.videoshop.http.ApiRequest;
import io.videoshop.http.ApiResponse;
import io.videoshop.http.ApiRoute;
import io.videoshop.http.Blocking;
import io.videoshop.domain.FieldError;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.persistence.privacy.PersonalDataVault;
import io.videoshop.tenant.Tenant;
import io.videoshop.tenant.Tenants;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.PathMatchers;

/**
 * The shopper's side of scheduling, without an account: slots and booking with the widget key
 * and an allowed {@code Origin} (as the widget socket checks), and the booking's signed link to
 * see, reschedule or cancel it. Rate-limited per client address and per tenant. Translation only.
 */
public final class PublicBookingRoutes {
  static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,255}\\.[^@\\s]{1,63}");
  static final Pattern PHONE = Pattern.compile("\\+?[0-9 ()./-]{3,40}");
  static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private PublicBookingRoutes() {}

  public record BookRequest(String start, String agentId, String name, String email, String phone, String notes,
      String productInterest, String timeZone, Boolean consent, String language, String policyVersion,
      List<String> purposes) {}

  public record LinkRequest(String token) {}

  public record LinkRescheduleRequest(String token, String start) {}

  public record LinkCancelRequest(String token, String reason) {}

  /** A public slot: when, in UTC and in the shopper's and the tenant's zones, and how many agents are free. */
  public record PublicSlot(Instant start, Instant end, String localStart, String tenantLocalStart, int available) {}

  public record PublicSlots(String timeZone, String tenantTimeZone, List<PublicSlot> slots) {}

  /**
   * The confirmation: the time in both zones, the token of the booking's signed link (for its
   * reschedule and cancel links) and the invitation (ICS) the confirmation mail carries; until when
   * the shopper may still change it (the change notice) and from when join the queue for it (the
   * early arrival), by the policy now.
   */
  public record Confirmation(String bookingId, String status, Instant start, Instant end, String timeZone,
      String localStart, String tenantTimeZone, String tenantLocalStart, String agentId, int sequence,
      String manageToken, String invitation, Instant changeableUntil, Instant joinableFrom, String consentToken) {
    Confirmation withConsentToken(String token) {
      return new Confirmation(bookingId, status, start, end, timeZone, localStart, tenantTimeZone, tenantLocalStart,
          agentId, sequence, manageToken, invitation, changeableUntil, joinableFrom, token);
    }
  }

  public static List<ApiRoute> routes(Tenants tenants, WidgetKeys widgetKeys, BookingCalendars calendars,
      BookingLinks links, PersonalDataVault vault, PublicBookingLimits limits, Blocking blocking, Clock clock,
      Consents consents) {
    return List.of(
        new ApiRoute("GET", "/api/v1/widget/slots", Access.PUBLIC,
            "Bookable slots for the widget (X-Widget-Key and an allowed Origin; from, days, timeZone)",
            request -> admitted(request, widgetKeys, tenants, limits, blocking).thenCompose(tenant -> {
              ZoneId shopper = shopperZone(request.query("timeZone").orElse(null), tenant);
              SchedulingRoutes.Range range = SchedulingRoutes.Range.of(request, shopper);
              return calendars.<BookingCalendar.Slots>ask(tenant.id(), replyTo -> new BookingCalendar.GetSlots(
                      BookingCalendars.hoursOf(tenant), range.from(), range.to(), null, replyTo))
                  .thenApply(slots -> ApiResponse.ok(new PublicSlots(shopper.getId(), tenant.settings().timeZone(),
                      slots.slots().stream().map(slot -> new PublicSlot(slot.start(), slot.end(),
                          local(slot.start(), shopper), local(slot.start(), tenant.settings().zone()),
                          slot.agentIds().size())).toList())));
            })),
        new ApiRoute("POST", "/api/v1/widget/bookings", Access.PUBLIC,
            "Book a slot from the widget (X-Widget-Key and an allowed Origin)", request ->
              // Admitted (key, origin, limits) before anything else, so bad bodies count toward the limits too.
              admitted(request, widgetKeys, tenants, limits, blocking).thenCompose(tenant -> {
                BookRequest body = request.body(BookRequest.class);
                Instant start = validated(body);
                String policyVersion = Consents.policyVersion(body.policyVersion());
                List<String> purposes = Consents.purposes(true, body.purposes());
                ZoneId shopper = shopperZone(body.timeZone(), tenant);
                String bookingId = UUID.randomUUID().toString();
                return blocking.run(() -> details(vault, body, shopper))
                    .thenCompose(details -> calendars.<BookingCalendar.BookingReply>ask(tenant.id(), replyTo ->
                        new BookingCalendar.Book(BookingCalendars.hoursOf(tenant), bookingId, start,
                            blankToNull(body.agentId()), details, replyTo)))
                    .thenCompose(reply -> policy(calendars, tenant).thenCompose(policy -> {
                      BookingCalendar.Booking booking = BookingCalendars.accepted(reply);
                      String subject = booking.details().subjectId();
                      // What the shopper agreed to, under the booking's subject; its token withdraws it.
                      return blocking.run(() -> {
                        consents.record(tenant.id(), subject, "booking", policyVersion, purposes);
                        return ApiResponse.created(confirmation(booking, tenant, shopper, links, body.name(),
                            body.email(), policy, clock).withConsentToken(consents.token(tenant.id(), subject)));
                      });
                    }));
              })),
        new ApiRoute("POST", "/api/v1/widget/bookings/lookup", Access.PUBLIC,
            "A booking by its signed link (X-Widget-Key and an allowed Origin)", request ->
              admitted(request, widgetKeys, tenants, limits, blocking).thenCompose(tenant -> {
                BookingLinks.Link link = linkOf(links, tenant, request.body(LinkRequest.class).token());
                return calendars.<BookingCalendar.BookingReply>ask(tenant.id(),
                        replyTo -> new BookingCalendar.GetBooking(link.bookingId(), replyTo))
                    .thenCompose(reply -> withContact(vault, blocking, calendars, BookingCalendars.accepted(reply), tenant,
                        links, clock));
              })),
        new ApiRoute("POST", "/api/v1/widget/bookings/reschedule", Access.PUBLIC,
            "Reschedule a booking by its signed link, within the change notice", request ->
              admitted(request, widgetKeys, tenants, limits, blocking).thenCompose(tenant -> {
                LinkRescheduleRequest body = request.body(LinkRescheduleRequest.class);
                BookingLinks.Link link = linkOf(links, tenant, body.token());
                Instant start = SchedulingRoutes.start(body.start());
                return calendars.<BookingCalendar.BookingReply>ask(tenant.id(), replyTo -> new BookingCalendar.Reschedule(
                        BookingCalendars.hoursOf(tenant), link.bookingId(), start, true, replyTo))
                    .thenCompose(reply -> withContact(vault, blocking, calendars, BookingCalendars.accepted(reply), tenant,
                        links, clock));
              })),
        new ApiRoute("POST", "/api/v1/widget/bookings/cancel", Access.PUBLIC,
            "Cancel a booking by its signed link, within the change notice", request ->
              admitted(request, widgetKeys, tenants, limits, blocking).thenCompose(tenant -> {
                LinkCancelRequest body = request.body(LinkCancelRequest.class);
                BookingLinks.Link link = linkOf(links, tenant, body.token());
                if (body.reason() != null && body.reason().length() > 500) {
                  throw ApiError.invalid("reason", "too_long", "at most 500 characters");
                }
                return calendars.<BookingCalendar.BookingReply>ask(tenant.id(), replyTo ->
                        new BookingCalendar.Cancel(link.bookingId(), body.reason(), true, replyTo))
                    .thenCompose(reply -> withContact(vault, blocking, calendars, BookingCalendars.accepted(reply), tenant,
                        links, clock));
              })));
  }

  private static final List<org.apache.pekko.http.javadsl.model.HttpHeader> ANY_ORIGIN = List.of(
      RawHeader.create("Access-Control-Allow-Origin", "*"),
      RawHeader.create("Access-Control-Expose-Headers", "Retry-After"));

  /**
   * The widget calls these routes from the shops' pages (another origin): a CORS preflight for its
   * {@code X-Widget-Key} and JSON body, and every answer (problems too) readable by any origin. No
   * cookies are involved; what admits a page is the widget key with its allowed origins.
   */
  public static org.apache.pekko.http.javadsl.server.Route crossOrigin(
      java.util.function.Supplier<org.apache.pekko.http.javadsl.server.Route> api) {
    return pathPrefixTest(PathMatchers.separateOnSlashes("api/v1/widget"), () -> concat(
        options(() -> complete(HttpResponse.create().withStatus(StatusCodes.NO_CONTENT).addHeaders(List.of(
            RawHeader.create("Access-Control-Allow-Origin", "*"),
            RawHeader.create("Access-Control-Allow-Methods", "GET, POST"),
            RawHeader.create("Access-Control-Allow-Headers", "Content-Type, X-Widget-Key"),
            RawHeader.create("Access-Control-Max-Age", "600"))))),
        respondWithHeaders(ANY_ORIGIN, api)));
  }

  /** The widget key's tenant, when the key is valid and the Origin allowed; then the rate limits. */
  static CompletionStage<Tenant> admitted(ApiRequest request, WidgetKeys widgetKeys, Tenants tenants,
      PublicBookingLimits limits, Blocking blocking) {
    String key = request.header("x-widget-key").orElse(null);
    String origin = request.header("origin").orElse(null);
    // A browser's same-origin GET carries no Origin (only Sec-Fetch-Site, which pages cannot set):
    // the page is then one of the node's own (the demo store), at the address it asked.
    String host = origin == null && "same-origin".equals(request.header("sec-fetch-site").orElse(null))
        ? request.header("host").orElse(null) : null;
    String ip = request.caller().ip();
    return blocking.run(() -> {
      WidgetKeys.Admission admission = widgetKeys.check(key, host == null ? origin : "https://" + host);
      if (host != null && !admission.allowed()) admission = widgetKeys.check(key, "http://" + host);
      if (!admission.allowed()) {
        throw ApiError.forbidden(admission.reason(), switch (admission.reason()) {
          case "widget_key_missing" -> "Send the widget key in X-Widget-Key";
          case "origin_not_allowed" -> "This page's origin is not allowed for the widget key";
          case "tenant_suspended" -> "The shop's account is suspended";
          default -> "The widget key is not valid";
        });
      }
      limits.admit(ip, admission.tenantId());
      return SchedulingRoutes.tenant(tenants, admission.tenantId());
    });
  }

  /** The link's booking, when the link is valid and of the widget key's tenant (else it is not valid here). */
  static BookingLinks.Link linkOf(BookingLinks links, Tenant tenant, String token) {
    return links.verifyFor(tenant.id(), token);
  }

  /** Every field checked and size-limited, all problems at once; the start instant. */
  /** A language tag as the widget sends it (en, de, de-AT): the booking's mails use it when they have it. */
  private static final java.util.regex.Pattern LANGUAGE = java.util.regex.Pattern.compile("[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8}){0,2}");

  static Instant validated(BookRequest body) {
    List<FieldError> errors = new ArrayList<>();
    Instant start = null;
    try {
      start = SchedulingRoutes.start(body.start());
    } catch (ApiError e) {
      errors.addAll(e.errors());
    }
    if (body.name() == null || body.name().isBlank() || body.name().length() > 200) {
      errors.add(new FieldError("name", "invalid_name", "is required, at most 200 characters"));
    }
    if (body.email() == null || body.email().length() > 320 || !EMAIL.matcher(body.email()).matches()) {
      errors.add(new FieldError("email", "invalid_email", "must be an email address"));
    }
    if (body.phone() != null && !PHONE.matcher(body.phone()).matches()) {
      errors.add(new FieldError("phone", "invalid_phone", "must be a phone number, at most 40 characters"));
    }
    if (body.notes() != null && body.notes().length() > 1000) {
      errors.add(new FieldError("notes", "too_long", "at most 1000 characters"));
    }
    if (body.productInterest() != null && body.productInterest().length() > BookingDetails.MAX_TEXT_LENGTH) {
      errors.add(new FieldError("productInterest", "too_long", "at most " + BookingDetails.MAX_TEXT_LENGTH + " characters"));
    }
    if (body.agentId() != null && !body.agentId().isEmpty() && !ID.matcher(body.agentId()).matches()) {
      errors.add(new FieldError("agentId", "invalid_id", "must be an agent's id"));
    }
    if (body.language() != null && !LANGUAGE.matcher(body.language()).matches()) {
      errors.add(new FieldError("language", "invalid_language", "must be a language tag such as en or de-AT"));
    }
    if (body.timeZone() != null) {
      try {
        if (body.timeZone().length() > 64) throw new DateTimeException("too long");
        ZoneId.of(body.timeZone());
      } catch (DateTimeException e) {
        errors.add(new FieldError("timeZone", "invalid_time_zone", "must be an IANA time zone such as Europe/Berlin"));
      }
    }
    if (!Boolean.TRUE.equals(body.consent())) {
      errors.add(new FieldError("consent", "consent_required", "the shopper must agree to be contacted about the booking"));
    }
    if (!errors.isEmpty()) throw ApiError.invalid(errors);
    return start;
  }

  static ZoneId shopperZone(String zone, Tenant tenant) {
    if (zone == null) return tenant.settings().zone();
    try {
      if (zone.length() > 64) throw new DateTimeException("too long");
      return ZoneId.of(zone);
    } catch (DateTimeException e) {
      throw ApiError.badRequest("invalid_time_zone", "timeZone must be an IANA time zone such as Europe/Berlin");
    }
  }

  /** Encrypts the personal fields under a new data subject (JDBC: on the blocking dispatcher). */
  static BookingDetails details(PersonalDataVault vault, BookRequest body, ZoneId shopper) {
    String subject = "booking-" + UUID.randomUUID();
    List<EncryptedPersonalData> sealed = vault.encryptNew(subject, Arrays.asList(body.name().strip(),
        body.email().strip(), blankToNull(body.phone()), blankToNull(body.notes())));
    return new BookingDetails(subject, sealed.get(0), sealed.get(1), sealed.get(2), sealed.get(3),
        blankToNull(body.productInterest()), shopper.getId(), true, blankToNull(body.language()));
  }

  /** The tenant's booking policy now (for the confirmation's change and arrival times). */
  static CompletionStage<BookingPolicy> policy(BookingCalendars calendars, Tenant tenant) {
    return calendars.<BookingCalendar.ScheduleReply>ask(tenant.id(), BookingCalendar.GetSchedule::new)
        .thenApply(reply -> BookingCalendars.schedule(reply).policy());
  }

  private static CompletionStage<ApiResponse> withContact(PersonalDataVault vault, Blocking blocking,
      BookingCalendars calendars, BookingCalendar.Booking booking, Tenant tenant, BookingLinks links, Clock clock) {
    return policy(calendars, tenant).thenCompose(policy -> blocking.run(() -> {
      String name = Optional.ofNullable(vault.decrypt(booking.details().name())).map(v -> v.value()).orElse("");
      String email = Optional.ofNullable(vault.decrypt(booking.details().email())).map(v -> v.value()).orElse("");
      ZoneId shopper = booking.details().shopperTimeZone() == null ? tenant.settings().zone()
          : ZoneId.of(booking.details().shopperTimeZone());
      return ApiResponse.ok(confirmation(booking, tenant, shopper, links, name, email, policy, clock));
    }));
  }

  static Confirmation confirmation(BookingCalendar.Booking booking, Tenant tenant, ZoneId shopper, BookingLinks links,
      String name, String email, BookingPolicy policy, Clock clock) {
    BookingInvitation invitation = new BookingInvitation(BookingInvitation.uidFor(booking.id()), booking.sequence(),
        booking.start(), booking.end(), clock.instant(), "Video call with " + tenant.name(), null, tenant.name(),
        "bookings@" + tenant.slug() + ".videoshop.invalid", name, email);
    return new Confirmation(booking.id(), booking.status().name().toLowerCase(java.util.Locale.ROOT), booking.start(),
        booking.end(), shopper.getId(), local(booking.start(), shopper), tenant.settings().timeZone(),
        local(booking.start(), tenant.settings().zone()), booking.agentId(), booking.sequence(),
        links.sign(tenant.id(), booking.id()), booking.active() ? invitation.request() : invitation.cancel(),
        booking.start().minus(policy.changeNotice()), booking.start().minus(policy.earlyArrival()), null);
  }

  static String local(Instant at, ZoneId zone) {
    return at.atZone(zone).toOffsetDateTime().toString();
  }

  static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }
}
