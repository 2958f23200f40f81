package io.videoshop.config;

import java.nio.file.Path;
import java.time.Duration;

/** The one database every node of a cluster shares (or the embedded H2 of a single node). */
public record DatabaseSettings(
    Kind kind, String url, String user, String password, int poolSize, Duration connectionTimeout) {

  public enum Kind {
    H2,
    POSTGRES
  }

  @Override
  public String toString() {
    // Never print the password (settings are logged at start).
    return "DatabaseSettings[kind=" + kind + ", url=" + url + ", user=" + user
        + ", poolSize=" + poolSize + ", connectionTimeout=" + connectionTimeout + "]";
  }

  static DatabaseSettings read(SettingsReader at) {
    Kind kind = at.oneOf("kind", Kind.class, Kind.H2);
    String url = at.string("url").trim();
    if (url.isEmpty()) {
      if (kind == Kind.POSTGRES) {
        at.problem("url", "is required when videoshop.database.kind = postgres "
            + "(set VIDEOSHOP_DB_URL, e.g. jdbc:postgresql://127.0.0.1:5432/videoshop)");
      } else {
        String directory = at.string("h2-directory");
        url = h2FileUrl(Path.of(directory.isBlank() ? "./data" : directory));
      }
    } else if (kind == Kind.POSTGRES && !url.startsWith("jdbc:postgresql:")) {
      at.problem("url", "must start with jdbc:postgresql: when kind = postgres, was \"" + url + "\"");
    } else if (kind == Kind.H2 && !url.startsWith("jdbc:h2:")) {
      at.problem("url", "must start with jdbc:h2: when kind = h2, was \"" + url + "\"");
    }
    return new DatabaseSettings(
        kind,
        url,
        at.string("user"),
        at.string("password"),
        at.intBetween("pool-size", 1, 500),
        at.positiveDuration("connection-timeout"));
  }

  /** The embedded file database; DATABASE_TO_UPPER=false keeps the journal's lower-case names. */
  public static String h2FileUrl(Path directory) {
    return "jdbc:h2:file:" + directory.toAbsolutePath().normalize().resolve("videoshop")
        + ";DATABASE_TO_UPPER=false";
  }
}
