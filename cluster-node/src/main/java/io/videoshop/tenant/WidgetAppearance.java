package io.videoshop.tenant;

import io.videoshop.domain.FieldError;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How a tenant's widget looks on its store (docs/widget.md): the accent colour, the launcher's
 * words, a greeting over the join form, the corner it sits in, and the language of its texts when
 * the shopper's browser asks for none the widget has. Null fields take the widget's defaults
 * (the launcher's words and the greeting then come in the shopper's language). A script tag's
 * {@code data-*} attributes still override these on that page. {@code consentBeforeStorage}: the
 * widget stores nothing in the shopper's browser until the store's consent banner calls
 * {@code VideoShop.consent({storage: true})} (as a tag's {@code data-consent="required"} does).
 */
public record WidgetAppearance(String color, String buttonText, String greeting, String position, String language,
    Boolean consentBeforeStorage) {
  public static final Set<String> POSITIONS = Set.of("right", "left");
  /** The languages the widget has texts in (widget-texts.js). */
  public static final Set<String> LANGUAGES = Set.of("en", "de", "fr", "es");
  public static final int BUTTON_TEXT_MAX = 40;
  public static final int GREETING_MAX = 200;
  private static final Pattern COLOR = Pattern.compile("#[0-9a-fA-F]{6}");

  public static WidgetAppearance defaults() {
    return new WidgetAppearance(null, null, null, null, null, null);
  }

  /** The same appearance with blank texts as absent and the colour in lower case. */
  public WidgetAppearance normalized() {
    return new WidgetAppearance(color == null ? null : color.toLowerCase(java.util.Locale.ROOT), blankToNull(buttonText),
        blankToNull(greeting), position, language, Boolean.TRUE.equals(consentBeforeStorage) ? Boolean.TRUE : null);
  }

  /** Adds a field error (under {@code prefix}) for every bad field. */
  void check(List<FieldError> errors, String prefix) {
    if (color != null && !COLOR.matcher(color).matches()) {
      errors.add(new FieldError(prefix + "color", "invalid_color", "must be a colour as #rrggbb, e.g. #4338ca"));
    }
    text(errors, prefix + "buttonText", buttonText, BUTTON_TEXT_MAX);
    text(errors, prefix + "greeting", greeting, GREETING_MAX);
    if (position != null && !POSITIONS.contains(position)) {
      errors.add(new FieldError(prefix + "position", "invalid_position", "must be one of " + new java.util.TreeSet<>(POSITIONS)));
    }
    if (language != null && !LANGUAGES.contains(language)) {
      errors.add(new FieldError(prefix + "language", "unsupported_language", "must be one of " + new java.util.TreeSet<>(LANGUAGES)));
    }
  }

  /** (Control characters are refused when any body is read: {@code control_character}.) */
  private static void text(List<FieldError> errors, String field, String value, int max) {
    if (value != null && value.strip().length() > max) {
      errors.add(new FieldError(field, "too_long", "at most " + max + " characters"));
    }
  }

  private static String blankToNull(String text) {
    return text == null || text.isBlank() ? null : text.strip();
  }
}
