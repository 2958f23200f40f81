package io.videoshop.notification;

import io.videoshop.config.NotificationSettings;
import io.videoshop.http.Json;
import jakarta.mail.MessagingException;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.simplejavamail.api.email.Email;
import org.simplejavamail.api.email.EmailPopulatingBuilder;
import org.simplejavamail.api.mailer.Mailer;
import org.simplejavamail.api.mailer.config.TransportStrategy;
import org.simplejavamail.converter.EmailConverter;
import org.simplejavamail.email.EmailBuilder;
import org.simplejavamail.mailer.MailerBuilder;

/**
 * Delivers mail rows: renders the template with the tenant's branding, then hands the mail to the
 * SMTP server (Simple Java Mail) or writes it as an .eml file. An SMTP refusal with a 5xx code is
 * permanent (no retry); a 4xx, a refused connection or a time-out is temporary.
 */
public final class MailChannel implements Channel, AutoCloseable {
  private final Mails mails;
  private final MailTemplates templates;
  private final NotificationSettings.Mail settings;
  private final Transport transport;
  /** The link that withdraws a shopper's consent, for the footer of every mail to a shopper (tenant, subject). */
  private volatile java.util.function.BiFunction<String, String, String> consentLinks = (tenant, subject) -> null;

  /** Where a built mail goes. */
  interface Transport extends AutoCloseable {
    Delivery send(Email email);

    @Override
    default void close() {}
  }

  public MailChannel(Mails mails, MailTemplates templates, NotificationSettings.Mail settings) {
    this.mails = mails;
    this.templates = templates;
    this.settings = settings;
    this.transport = settings.transport() == NotificationSettings.Transport.FILE
        ? new FileTransport(settings.fileDirectory())
        : new SmtpTransport(settings.smtp());
  }

  /** Sets how the footer's consent link is made for a mail about a shopper's data subject. */
  public void consentLinks(java.util.function.BiFunction<String, String, String> links) {
    this.consentLinks = links;
  }

  /** Shoppers' subjects (a join, a booking); users' mails have none of their own consent to withdraw. */
  static boolean aboutShopper(String subjectId) {
    return subjectId != null && (subjectId.startsWith("shopper-") || subjectId.startsWith("booking-"));
  }

  @Override
  public String kind() {
    return Outbox.MAIL;
  }

  @Override
  public Delivery deliver(OutboxMessage message) {
    MailMessage mail = parse(message.payload());
    return transport.send(build(message.id(), message.tenantId(), message.subjectId(), mail));
  }

  private static MailMessage parse(String payload) {
    try {
      return Json.MAPPER.readValue(payload, MailMessage.class);
    } catch (IOException e) {
      throw new IllegalStateException("outbox mail payload does not parse", e);
    }
  }

  /** The mail as it is sent (also what the file transport writes). */
  Email build(long outboxId, String tenantId, String subjectId, MailMessage mail) {
    MailTemplates.Branding branding = mails.branding(tenantId);
    String unsubscribeUrl = mail.unsubscribeToken() == null ? null
        : mails.link("/unsubscribe?token=" + URLEncoder.encode(mail.unsubscribeToken(), StandardCharsets.UTF_8));
    String consentUrl = tenantId != null && aboutShopper(subjectId) ? consentLinks.apply(tenantId, subjectId) : null;
    MailTemplates.Rendered rendered = templates.render(mail.template(), mail.language(), mail.values(), branding,
        unsubscribeUrl, consentUrl);
    EmailPopulatingBuilder builder = EmailBuilder.startingBlank()
        .from(branding.senderName(), settings.fromAddress())
        .to(mail.to())
        .withSubject(rendered.subject())
        .withPlainText(rendered.text())
        .withHTMLText(rendered.html())
        .withHeader("X-VideoShop-Template", mail.template())
        .fixingMessageId("<outbox-" + outboxId + "." + domainOf(settings.fromAddress()) + "@videoshop>");
    for (MailMessage.Attachment attachment : mail.attachments()) {
      builder = builder.withAttachment(attachment.name(), attachment.bytes(),
          attachment.contentType());
    }
    if (branding.replyTo() != null) builder = builder.withReplyTo(branding.senderName(), branding.replyTo());
    if (unsubscribeUrl != null) {
      String oneClick = mails.link("/api/v1/unsubscribe?token="
          + URLEncoder.encode(mail.unsubscribeToken(), StandardCharsets.UTF_8));
      builder = builder.withHeader("List-Unsubscribe", "<" + oneClick + ">")
          .withHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
    }
    return builder.buildEmail();
  }

  private static String domainOf(String address) {
    return address.substring(address.indexOf('@') + 1);
  }

  @Override
  public void close() {
    transport.close();
  }

  /** SMTP with the configured TLS mode and credentials; one connection per mail. */
  static final class SmtpTransport implements Transport {
    private final Mailer mailer;

    SmtpTransport(NotificationSettings.Smtp smtp) {
      TransportStrategy strategy = switch (smtp.tls()) {
        case STARTTLS -> TransportStrategy.SMTP_TLS;
        case IMPLICIT -> TransportStrategy.SMTPS;
        case NONE -> TransportStrategy.SMTP;
      };
      var builder = MailerBuilder.withSMTPServer(smtp.host().isEmpty() ? "localhost" : smtp.host(), smtp.port(),
              smtp.user().isEmpty() ? null : smtp.user(), smtp.user().isEmpty() ? null : smtp.password())
          .withTransportStrategy(strategy)
          .withSessionTimeout((int) smtp.timeout().toMillis())
          .withProperty("mail.smtp.connectiontimeout", String.valueOf(smtp.timeout().toMillis()))
          .withProperty("mail.smtp.writetimeout", String.valueOf(smtp.timeout().toMillis()))
          .withProperty("mail.smtps.connectiontimeout", String.valueOf(smtp.timeout().toMillis()))
          .withProperty("mail.smtps.writetimeout", String.valueOf(smtp.timeout().toMillis()))
          .withDebugLogging(false);
      if (smtp.trustAllHosts()) builder = builder.trustingAllHosts(true).verifyingServerIdentity(false);
      this.mailer = builder.buildMailer();
    }

    @Override
    public Delivery send(Email email) {
      try {
        mailer.sendMail(email, false).join();
        return Delivery.DELIVERED;
      } catch (RuntimeException e) {
        return classify(e);
      }
    }

    /** 5xx from the server: permanent. Anything else (4xx, connection, TLS, time-out): try again. */
    static Delivery classify(Throwable failure) {
      for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
        int code = returnCode(cause);
        if (code >= 500 && code < 600) return new Delivery.PermanentFailure("SMTP " + code);
        if (code >= 400 && code < 500) return new Delivery.RetryLater("SMTP " + code);
        if (cause instanceof MessagingException messaging && messaging.getNextException() != null
            && messaging.getNextException() != cause.getCause()) {
          Delivery next = classify(messaging.getNextException());
          if (!(next instanceof Delivery.RetryLater retry && retry.reason().startsWith("delivery failed"))) return next;
        }
      }
      return new Delivery.RetryLater("delivery failed: " + rootName(failure));
    }

    private static int returnCode(Throwable cause) {
      if (cause instanceof SMTPSendFailedException e) return e.getReturnCode();
      if (cause instanceof SMTPAddressFailedException e) return e.getReturnCode();
      if (cause instanceof SMTPSenderFailedException e) return e.getReturnCode();
      return -1;
    }

    private static String rootName(Throwable failure) {
      Throwable root = failure;
      while (root.getCause() != null && root.getCause() != root) root = root.getCause();
      return root.getClass().getSimpleName();
    }

    @Override
    public void close() {
      try {
        mailer.shutdownConnectionPool();
      } catch (RuntimeException ignored) {
        // No pool (one connection per mail): nothing to close.
      }
    }
  }

  /** Each mail as {@code <Message-ID>.eml} in a folder: the demo's inbox, readable in any mail program. */
  static final class FileTransport implements Transport {
    private final Path directory;

    FileTransport(Path directory) {
      this.directory = directory;
    }

    @Override
    public Delivery send(Email email) {
      try {
        Files.createDirectories(directory);
        String name = email.getId().replaceAll("[^A-Za-z0-9.-]", "") + ".eml";
        Path temporary = Files.createTempFile(directory, "mail", ".tmp");
        Files.writeString(temporary, EmailConverter.emailToEML(email), StandardCharsets.UTF_8);
        Files.move(temporary, directory.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return Delivery.DELIVERED;
      } catch (IOException e) {
        return new Delivery.RetryLater("cannot write the mail file: " + e.getClass().getSimpleName());
      }
    }
  }
}
