package io.videoshop.config;

import java.nio.file.Path;
import java.time.Duration;

/** The outbox (delivery workers, leases, retries) and mail (SMTP or a local folder, sender, links). */
public record NotificationSettings(Outbox outbox, Mail mail) {

  /** Delivery workers on every node claim due rows with a lease and retry with backoff. */
  public record Outbox(int workers, int batchSize, Duration pollInterval, Duration lease, int maxAttempts,
      Duration backoffMin, Duration backoffMax) {}

  public enum Transport {
    /** Deliver over SMTP to {@link Smtp}. */
    SMTP,
    /** Write each mail as an .eml file into {@code file-directory} (the demo's inbox; no server needed). */
    FILE
  }

  public enum Tls {
    /** STARTTLS on a plain connection (port 587): refused if the server cannot upgrade. */
    STARTTLS,
    /** TLS from the first byte (SMTPS, port 465). */
    IMPLICIT,
    /** No TLS at all: only for a server on the same host or a test. */
    NONE
  }

  public record Smtp(String host, int port, Tls tls, String user, String password, Duration timeout,
      boolean trustAllHosts) {
    @Override
    public String toString() {
      return "Smtp[host=" + host + ", port=" + port + ", tls=" + tls + ", user=" + user + "]";
    }
  }

  /** With transport smtp and no host, mail waits in the outbox (a warning at start says so). */
  public record Mail(Transport transport, Path fileDirectory, Smtp smtp, String fromAddress, String fromName,
      String publicBaseUrl) {
    @Override
    public String toString() {
      return "Mail[transport=" + transport + ", smtp=" + smtp + ", from=" + fromAddress + "]";
    }
  }

  static NotificationSettings read(SettingsReader at, boolean demo) {
    SettingsReader outbox = at.at("outbox");
    Outbox o = new Outbox(outbox.intBetween("workers", 1, 64), outbox.intBetween("batch-size", 1, 1000),
        outbox.positiveDuration("poll-interval"), outbox.positiveDuration("lease"),
        outbox.intBetween("max-attempts", 1, 100), outbox.positiveDuration("backoff-min"),
        outbox.positiveDuration("backoff-max"));
    if (o.backoffMax().compareTo(o.backoffMin()) < 0) {
      outbox.problem("backoff-max", "must be at least backoff-min (" + o.backoffMin() + ")");
    }
    SettingsReader mail = at.at("mail");
    SettingsReader smtp = mail.at("smtp");
    Smtp s = new Smtp(smtp.string("host").trim(), smtp.intBetween("port", 1, 65535),
        smtp.oneOf("tls", Tls.class, Tls.STARTTLS), smtp.string("user"), smtp.string("password"),
        smtp.positiveDuration("timeout"), smtp.bool("trust-all-hosts"));
    // Empty: the demo writes files (nothing to set up), production speaks SMTP.
    Transport transport = mail.string("transport").isBlank()
        ? (demo ? Transport.FILE : Transport.SMTP)
        : mail.oneOf("transport", Transport.class, Transport.SMTP);
    if (!s.user().isEmpty() && s.password().isEmpty()) {
      smtp.problem("password", "is required when videoshop.notifications.mail.smtp.user is set");
    }
    String from = mail.string("from-address").trim();
    if (!from.matches("[^@\\s]+@[^@\\s]+")) mail.problem("from-address", "must be an email address, was \"" + from + "\"");
    String base = mail.string("public-base-url").trim().replaceAll("/+$", "");
    if (!base.startsWith("http://") && !base.startsWith("https://")) {
      mail.problem("public-base-url", "must start with http:// or https://, was \"" + base + "\"");
    }
    Mail m = new Mail(transport, Path.of(mail.string("file-directory")), s, from, mail.string("from-name").trim(),
        base);
    return new NotificationSettings(o, m);
  }
}
