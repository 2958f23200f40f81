package io.videoshop.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Reads typed values under a path and collects every problem instead of stopping at the first,
 * so that a start with three wrong settings names all three.
 */
final class SettingsReader {
  private final Config config;
  private final String prefix;
  private final List<String> problems;

  SettingsReader(Config config, String prefix, List<String> problems) {
    this.config = config;
    this.prefix = prefix;
    this.problems = problems;
  }

  static SettingsReader of(Config root, String path) {
    return new SettingsReader(root, path, new ArrayList<>());
  }

  SettingsReader at(String child) {
    return new SettingsReader(config, key(child), problems);
  }

  List<String> problems() {
    return problems;
  }

  String key(String name) {
    return prefix.isEmpty() ? name : prefix + "." + name;
  }

  void problem(String name, String message) {
    problems.add(key(name) + ": " + message);
  }

  String string(String name) {
    return read(name, () -> config.getString(key(name)), "");
  }

  boolean bool(String name) {
    Boolean value = read(name, () -> config.getBoolean(key(name)), null);
    return value != null && value;
  }

  int intBetween(String name, int min, int max) {
    Integer value = read(name, () -> config.getInt(key(name)), null);
    if (value == null) return min;
    if (value < min || value > max) {
      problem(name, "must be between " + min + " and " + max + ", was " + value);
      return min;
    }
    return value;
  }

  long bytes(String name, long min) {
    Long value = read(name, () -> config.getBytes(key(name)), null);
    if (value == null) return min;
    if (value < min) {
      problem(name, "must be at least " + min + " bytes, was " + value);
      return min;
    }
    return value;
  }

  Duration positiveDuration(String name) {
    Duration value = read(name, () -> config.getDuration(key(name)), null);
    if (value == null) return Duration.ofSeconds(1);
    if (value.isNegative() || value.isZero()) {
      problem(name, "must be a positive duration such as 5s, was " + value);
      return Duration.ofSeconds(1);
    }
    return value;
  }

  <E extends Enum<E>> E oneOf(String name, Class<E> type, E fallback) {
    String raw = string(name);
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(raw.replace('-', '_'))) return constant;
    }
    List<String> allowed = new ArrayList<>();
    for (E constant : type.getEnumConstants()) {
      allowed.add(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }
    problem(name, "must be one of " + allowed + ", was \"" + raw + "\"");
    return fallback;
  }

  private <T> T read(String name, Supplier<T> reader, T fallback) {
    try {
      return reader.get();
    } catch (ConfigException.Missing e) {
      problem(name, "is missing");
    } catch (ConfigException.WrongType | ConfigException.BadValue e) {
      problem(name, describe(e, key(name)));
    }
    return fallback;
  }

  /** Config's message without its origin prefix, e.g. "has type STRING rather than NUMBER". */
  private static String describe(ConfigException e, String key) {
    String message = e.getMessage();
    int at = message.indexOf(key);
    return at >= 0 ? message.substring(at + key.length()).trim() : "has a wrong value: " + message;
  }
}
