package io.videoshop.config;

/** Log output: plain text lines for people or one JSON object a line for collectors. */
public record LogSettings(Format format, String level) {

  public enum Format {
    TEXT,
    JSON
  }

  static LogSettings read(SettingsReader at) {
    Format format = at.oneOf("format", Format.class, Format.TEXT);
    String level = at.string("level").toUpperCase(java.util.Locale.ROOT);
    if (!level.matches("TRACE|DEBUG|INFO|WARN|ERROR|OFF")) {
      at.problem("level", "must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF, was \"" + level + "\"");
    }
    return new LogSettings(format, level);
  }
}
