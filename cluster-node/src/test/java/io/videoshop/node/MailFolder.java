package io.videoshop.node;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.simplejavamail.api.email.Email;
import org.simplejavamail.converter.EmailConverter;

/** The folder a node's file mail transport writes to, read the way a mail program would. */
public final class MailFolder {
  private static final Pattern OUTBOX_ID = Pattern.compile("outbox-(\\d+)\\.");
  public final Path directory;

  public MailFolder(Path directory) {
    this.directory = directory;
  }

  public static MailFolder temporary() {
    try {
      return new MailFolder(Files.createTempDirectory("videoshop-mail"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** HOCON that makes a node write its mail here. */
  public String hocon() {
    return "videoshop.notifications.mail { transport = file, file-directory = \"" + directory.toString().replace("\\", "/")
        + "\" }\nvideoshop.notifications.outbox.poll-interval = 200ms";
  }

  /** Every mail so far, oldest first (by outbox row). */
  public List<Email> mails() {
    if (!Files.isDirectory(directory)) return List.of();
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(file -> file.toString().endsWith(".eml"))
          .sorted(Comparator.comparingLong(MailFolder::outboxId))
          .map(file -> EmailConverter.emlToEmail(file.toFile()))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long outboxId(Path file) {
    Matcher matcher = OUTBOX_ID.matcher(file.getFileName().toString());
    return matcher.find() ? Long.parseLong(matcher.group(1)) : Long.MAX_VALUE;
  }

  /** The newest mail to this address whose text holds a token with this prefix, waiting for it. */
  public String awaitToken(String recipient, String prefix) {
    Pattern token = Pattern.compile(Pattern.quote(prefix) + "[A-Za-z0-9_-]{20,}");
    String[] found = new String[1];
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
      Optional<String> newest = mails().stream()
          .filter(mail -> mail.getToRecipients().stream().anyMatch(to -> to.getAddress().equalsIgnoreCase(recipient)))
          .map(mail -> token.matcher(mail.getPlainText()))
          .filter(Matcher::find)
          .map(Matcher::group)
          .reduce((first, second) -> second);
      newest.ifPresent(value -> found[0] = value);
      return newest.isPresent();
    });
    return found[0];
  }
}
