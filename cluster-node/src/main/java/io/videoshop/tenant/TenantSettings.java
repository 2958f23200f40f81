package io.videoshop.tenant;

import io.videoshop.domain.DomainError;
import io.videoshop.domain.FieldError;
import java.net.URI;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A tenant's own settings, replaced whole by {@code PUT /api/v1/tenants/{tenantId}/settings}.
 *
 * @param allowedOrigins origins (scheme://host[:port]) the widget may be embedded on, for widget
 *     keys that list none of their own
 * @param widget how the widget looks ({@link WidgetAppearance}); changed by its own route, and kept
 *     when a settings body leaves it out
 */
public record TenantSettings(
    String timeZone, String currency, BusinessHours businessHours, QueuePolicy queue, List<String> allowedOrigins,
    CallPolicy calls, WidgetAppearance widget) {

  /** The widget's appearance in force (the defaults when none was set). */
  public WidgetAppearance widgetAppearance() {
    return widget == null ? WidgetAppearance.defaults() : widget;
  }

  public TenantSettings withWidget(WidgetAppearance appearance) {
    return new TenantSettings(timeZone, currency, businessHours, queue, allowedOrigins, calls, appearance);
  }

  /** How the tenant's live queue behaves (the queue entity receives it). */
  public record QueuePolicy(int maxLength, int maxWaitSeconds, int reservationTimeoutSeconds, String routingStrategy) {
    public static QueuePolicy defaults() {
      return new QueuePolicy(50, 600, 20, "longest-idle");
    }
  }

  /**
   * How calls run: their longest length, and how long an agent stays in wrap-up after a call
   * before the queue offers the next shopper. Optional in requests: absent means the defaults.
   */
  public record CallPolicy(int maxCallMinutes, int wrapUpSeconds) {
    public static CallPolicy defaults() {
      return new CallPolicy(60, 0);
    }
  }

  /** The call policy in force (the defaults when none was set). */
  public CallPolicy callPolicy() {
    return calls == null ? CallPolicy.defaults() : calls;
  }

  public static final Set<String> ROUTING_STRATEGIES = Set.of("longest-idle", "round-robin");

  public static TenantSettings defaults(String timeZone, String currency) {
    return new TenantSettings(timeZone, currency, BusinessHours.always(), QueuePolicy.defaults(), List.of(),
        CallPolicy.defaults(), null);
  }

  public ZoneId zone() {
    return ZoneId.of(timeZone);
  }

  /** Checks every field; 422 listing each bad one. */
  public TenantSettings validated() {
    List<FieldError> errors = new ArrayList<>();
    checkZone(errors, "timeZone", timeZone);
    checkCurrency(errors, "currency", currency);
    if (businessHours == null) {
      errors.add(new FieldError("businessHours", "required", "is required"));
    } else {
      checkHours(errors, businessHours);
    }
    if (queue == null) {
      errors.add(new FieldError("queue", "required", "is required"));
    } else {
      range(errors, "queue.maxLength", queue.maxLength(), 1, 10_000);
      range(errors, "queue.maxWaitSeconds", queue.maxWaitSeconds(), 30, 86_400);
      range(errors, "queue.reservationTimeoutSeconds", queue.reservationTimeoutSeconds(), 5, 300);
      if (!ROUTING_STRATEGIES.contains(String.valueOf(queue.routingStrategy()))) {
        errors.add(new FieldError("queue.routingStrategy", "invalid_value", "must be one of " + ROUTING_STRATEGIES));
      }
    }
    checkOrigins(errors, "allowedOrigins", allowedOrigins);
    if (calls != null) {
      range(errors, "calls.maxCallMinutes", calls.maxCallMinutes(), 1, 480);
      range(errors, "calls.wrapUpSeconds", calls.wrapUpSeconds(), 0, 3600);
    }
    if (widget != null) widget.check(errors, "widget.");
    if (!errors.isEmpty()) throw DomainError.invalid(errors);
    return this;
  }

  static void checkZone(List<FieldError> errors, String field, String zone) {
    try {
      ZoneId.of(String.valueOf(zone));
    } catch (RuntimeException e) {
      errors.add(new FieldError(field, "invalid_time_zone", "must be an IANA time zone such as Europe/Berlin"));
    }
  }

  static void checkCurrency(List<FieldError> errors, String field, String currency) {
    try {
      if (currency == null || !currency.equals(Currency.getInstance(currency).getCurrencyCode())) throw new IllegalArgumentException();
    } catch (IllegalArgumentException e) {
      errors.add(new FieldError(field, "invalid_currency", "must be an ISO 4217 code such as EUR"));
    }
  }

  /** Origins as browsers send them: http(s)://host[:port], no path, at most 50. */
  public static void checkOrigins(List<FieldError> errors, String field, List<String> origins) {
    if (origins == null) {
      errors.add(new FieldError(field, "required", "is required (may be empty)"));
      return;
    }
    if (origins.size() > 50) errors.add(new FieldError(field, "too_many", "at most 50 origins"));
    for (int i = 0; i < origins.size(); i++) {
      if (!isOrigin(origins.get(i))) {
        errors.add(new FieldError(field + "[" + i + "]", "invalid_origin",
            "must be an origin such as https://shop.example.com (scheme, host, optional port; no path)"));
      }
    }
  }

  static boolean isOrigin(String origin) {
    try {
      URI uri = new URI(origin);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null && (uri.getRawPath() == null || uri.getRawPath().isEmpty())
          && uri.getRawQuery() == null && uri.getRawFragment() == null && uri.getRawUserInfo() == null
          && origin.equals(uri.getScheme() + "://" + uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort()));
    } catch (Exception e) {
      return false;
    }
  }

  private static void checkHours(List<FieldError> errors, BusinessHours hours) {
    Set<String> days = new HashSet<>();
    for (DayOfWeek day : DayOfWeek.values()) days.add(BusinessHours.dayName(day));
    if (hours.weekly() == null) {
      errors.add(new FieldError("businessHours.weekly", "required", "is required"));
    } else {
      for (Map.Entry<String, List<BusinessHours.Window>> entry : hours.weekly().entrySet()) {
        String field = "businessHours.weekly." + entry.getKey();
        if (!days.contains(entry.getKey())) {
          errors.add(new FieldError(field, "invalid_day", "must be a weekday name such as monday"));
        }
        checkWindows(errors, field, entry.getValue());
      }
    }
    List<BusinessHours.DatedException> exceptions = hours.exceptions() == null ? List.of() : hours.exceptions();
    if (exceptions.size() > 400) errors.add(new FieldError("businessHours.exceptions", "too_many", "at most 400"));
    for (int i = 0; i < exceptions.size(); i++) {
      String field = "businessHours.exceptions[" + i + "]";
      try {
        LocalDate.parse(String.valueOf(exceptions.get(i).date()));
      } catch (DateTimeParseException e) {
        errors.add(new FieldError(field + ".date", "invalid_date", "must be a date such as 2026-12-25"));
      }
      checkWindows(errors, field + ".windows", exceptions.get(i).windows());
    }
  }

  private static void checkWindows(List<FieldError> errors, String field, List<BusinessHours.Window> windows) {
    if (windows == null) {
      errors.add(new FieldError(field, "required", "is required (may be empty: closed)"));
      return;
    }
    if (windows.size() > 6) errors.add(new FieldError(field, "too_many", "at most 6 windows a day"));
    for (int i = 0; i < windows.size(); i++) {
      BusinessHours.Window window = windows.get(i);
      try {
        LocalTime from = LocalTime.parse(String.valueOf(window.from()));
        LocalTime to = LocalTime.parse(String.valueOf(window.to()));
        if (from.equals(to) && !from.equals(LocalTime.MIDNIGHT)) {
          errors.add(new FieldError(field + "[" + i + "]", "empty_window", "from and to must differ (00:00-00:00 is all day)"));
        }
      } catch (DateTimeParseException e) {
        errors.add(new FieldError(field + "[" + i + "]", "invalid_time", "from and to must be times such as 09:00"));
      }
    }
  }

  private static void range(List<FieldError> errors, String field, int value, int min, int max) {
    if (value < min || value > max) {
      errors.add(new FieldError(field, "out_of_range", "must be between " + min + " and " + max));
    }
  }
}
