package io.videoshop.queue;

import io.videoshop.config.ClusterSettings;
import io.videoshop.http.ClientFrames;
import io.videoshop.domain.DomainError;
import io.videoshop.domain.FieldError;
import io.videoshop.http.RateLimit;
import io.videoshop.http.Sockets;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.persistence.privacy.PersonalDataVault;
import io.videoshop.privacy.Consents;
import io.videoshop.protocol.ErrorMessage;
import io.videoshop.protocol.Hello;
import io.videoshop.protocol.ProtocolCodec;
import io.videoshop.protocol.WaitRange;
import io.videoshop.protocol.WidgetEvent;
import io.videoshop.protocol.WidgetRequest;
import io.videoshop.domain.RoomPass;
import io.videoshop.access.RoomTokens;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * One shopper's widget socket: translates the widget protocol to {@link TenantQueue} commands,
 * encrypts the shopper's personal fields before they reach the queue, and turns the tenant's
 * queue updates into this shopper's position and assignment. A dropped socket leaves the ticket
 * its place for the reconnect grace; {@code resume} takes it back, on any node.
 */
final class WidgetSession extends AbstractBehavior<WidgetSession.Command> {
  private static final int JOIN_ATTEMPTS = 3;
  /**
   * A shopper's resume is asked up to this many times, each waiting {@code resume-ask-timeout}
   * (1.5 s), before the answer is {@code unavailable}: about as long as one ask before, but a
   * queue that just moved to another node answers the next attempt instead of the widget's next
   * resume (the first attempt of a failover went to the dead node and is lost).
   */
  private static final int RESUME_ATTEMPTS = 3;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WidgetSession.class);
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,190}\\.[^@\\s]{1,63}");
  private static final Pattern PHONE = Pattern.compile("[+0-9 ()./-]{3,32}");
  private static final Pattern RESUME_TOKEN = Pattern.compile(
      "[A-Za-z0-9_-]{" + TenantQueue.MIN_RESUME_TOKEN_LENGTH + "," + TenantQueue.MAX_RESUME_TOKEN_LENGTH + "}");
  private static final Pattern LANGUAGE = Pattern.compile("[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?");

  interface Command extends NoSerializationVerificationNeeded {}

  record FromClient(Sockets.Inbound inbound) implements Command {}

  private record Heard(TicketNews news) implements Command {}

  private record Encrypted(TicketDetails details, Throwable failure) implements Command {}

  private record Joined(TenantQueue.JoinReply reply, Throwable failure, TicketDetails details, int attempt)
      implements Command {}

  /** A booked shopper's arrival, as Scheduling answered it (or why not). */
  private record Arrived(BookedArrivals.Arrival arrival, Throwable failure) implements Command {}

  /** {@code check}: asked by the session itself (its ticket left the view unseen), not by the shopper. */
  private record ResumeAnswer(String ticketId, TenantQueue.ResumeReply reply, Throwable failure, boolean check,
      int attempt) implements Command {}

  private record LeaveAnswer(String ticketId, TenantQueue.Confirmation reply, Throwable failure) implements Command {}

  private record ConsentAnswer(Consents.Withdrawn withdrawn, Throwable failure) implements Command {}

  static Behavior<Command> create(String tenantId, ActorRef<Sockets.Outbound> out, EntityRef<TenantQueue.Command> queue,
      ActorRef<QueueFeeds.Command> feeds, PersonalDataVault vault, Executor blocking, RoomTokens roomTokens,
      BooleanSupplier joinAllowed, BookedArrivals arrivals, Consents consents) {
    return Behaviors.setup(context -> new WidgetSession(context, tenantId, out, queue, feeds, vault, blocking,
        roomTokens, joinAllowed, arrivals, consents));
  }

  private final String tenantId;
  private final ActorRef<Sockets.Outbound> out;
  private final EntityRef<TenantQueue.Command> queue;
  private final PersonalDataVault vault;
  private final Executor blocking;
  private final RoomTokens roomTokens;
  private final ActorRef<QueueFeeds.Command> feeds;
  private final ActorRef<TicketNews> news;
  /** The cluster's joins-per-address budget ({@link WidgetLimits}): takes one join if there is one. */
  private final BooleanSupplier joinAllowed;
  private final BookedArrivals arrivals;
  /** The booking of the join under way (join-booking), else null. */
  private Ticket.Booked booking;
  private final Consents consents;
  private final RateLimit rateLimit = new RateLimit(20, 5, System.nanoTime());
  private final Duration askTimeout;
  private final Duration resumeAskTimeout;
  private String ticketId;
  /** The token of the join under way: repeated joins carry it, so the queue makes one ticket. */
  private String joinToken;
  /** The data subject of this shopper's personal data (from the join, or seen in the queue after a resume). */
  private String subject;
  private boolean busy; // a join, resume or leave is under way
  /** The socket closed while a join or resume was under way: its answer is awaited, then the session stops. */
  private boolean closed;
  /** The resume token of this socket's ticket, to ask the queue where the ticket went. */
  private String resumeToken;
  private int position;
  private WaitRange estimatedWait;

  private WidgetSession(ActorContext<Command> context, String tenantId, ActorRef<Sockets.Outbound> out,
      EntityRef<TenantQueue.Command> queue, ActorRef<QueueFeeds.Command> feeds, PersonalDataVault vault,
      Executor blocking, RoomTokens roomTokens, BooleanSupplier joinAllowed, BookedArrivals arrivals,
      Consents consents) {
    super(context);
    this.arrivals = arrivals;
    this.consents = consents;
    this.askTimeout = ClusterSettings.askTimeout(context.getSystem().settings().config());
    this.resumeAskTimeout = ClusterSettings.resumeAskTimeout(context.getSystem().settings().config());
    this.joinAllowed = joinAllowed;
    this.roomTokens = roomTokens;
    this.tenantId = tenantId;
    this.out = out;
    this.queue = queue;
    this.vault = vault;
    this.blocking = blocking;
    this.feeds = feeds;
    this.news = context.messageAdapter(TicketNews.class, Heard::new);
    send(new Hello("shopper", tenantId, ProtocolCodec.MAX_FRAME_BYTES));
    // Following nothing yet: the tenant's feed starts (and with it the queue hears its settings).
    feeds.tell(new QueueFeeds.Follow(tenantId, news, null));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(FromClient.class, message -> onClient(message.inbound()))
        .onMessage(Heard.class, heard -> onNews(heard.news()))
        .onMessage(Encrypted.class, this::onEncrypted)
        .onMessage(Joined.class, this::onJoined)
        .onMessage(Arrived.class, this::onArrived)
        .onMessage(ResumeAnswer.class, this::onResumed)
        .onMessage(LeaveAnswer.class, this::onLeft)
        .onMessage(ConsentAnswer.class, this::onConsentWithdrawn)
        .onSignal(PostStop.class, stopped -> onStopped())
        .build();
  }

  /**
   * However the session ends (the socket closed, or a bug stopped it): a ticket it still holds is
   * disconnected, so it keeps its place for the reconnect grace and is not offered meanwhile, and
   * the socket is closed so the widget reconnects and resumes.
   */
  private Behavior<Command> onStopped() {
    if (ticketId != null && !closed) queue.tell(new TenantQueue.ShopperDisconnected(ticketId));
    out.tell(new Sockets.Close());
    return this;
  }

  /** This socket's ticket, for news from the node's feed (null: none). */
  private void follow(String followed) {
    ticketId = followed;
    feeds.tell(new QueueFeeds.Follow(tenantId, news, followed));
  }

  private Behavior<Command> onClient(Sockets.Inbound inbound) {
    if (inbound instanceof Sockets.Closed) {
      if (ticketId != null) queue.tell(new TenantQueue.ShopperDisconnected(ticketId));
      closed = true;
      // A join or resume in flight: its answer is awaited, so its ticket does not stay connected with nobody behind it.
      return busy ? this : Behaviors.stopped();
    }
    if (closed) return this;
    Optional<WidgetRequest> decoded = ClientFrames.read(inbound, rateLimit, WidgetRequest.class, out);
    if (decoded.isEmpty()) return this;
    if (busy) return error("request_in_progress", "Wait for the answer to the previous request", null);
    WidgetRequest request = decoded.get();
    if (request instanceof WidgetRequest.Join join) return onJoin(join);
    if (request instanceof WidgetRequest.JoinBooking join) return onJoinBooking(join);
    if (request instanceof WidgetRequest.Resume resume) return onResume(resume);
    if (request instanceof WidgetRequest.WithdrawConsent withdraw) return onWithdrawConsent(withdraw);
    return onLeave();
  }

  private Behavior<Command> onJoin(WidgetRequest.Join join) {
    if (ticketId != null) return error("already_queued", "This socket already has a place", null);
    ErrorMessage invalid = validate(join);
    if (invalid != null) {
      send(invalid);
      return this;
    }
    String policyVersion;
    List<String> purposes;
    try {
      policyVersion = Consents.policyVersion(join.policyVersion());
      purposes = Consents.purposes(Boolean.TRUE.equals(join.consent()), join.purposes());
    } catch (RuntimeException e) {
      FieldError first = Refused.of(e).orElseThrow(() -> e).errors().get(0);
      return error(first.code(), first.message(), first.field());
    }
    if (!joinAllowed.getAsBoolean()) return error("too_many_joins", "Too many joins from this address; try again in a minute", null);
    busy = true;
    joinToken = join.resumeToken() != null ? join.resumeToken() : TenantQueue.newResumeToken();
    String subject = "shopper-" + UUID.randomUUID();
    this.subject = subject;
    booking = null;
    getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> {
      // One transaction for the new subject's key and its consent record, whatever the number of fields.
      List<EncryptedPersonalData> sealed = consents.recordNewSubject(tenantId, subject, "join", policyVersion,
          purposes, Arrays.asList(join.name().strip(), blankToNull(join.email()), blankToNull(join.phone()),
              blankToNull(join.notes())));
      return new TicketDetails(subject, sealed.get(0), sealed.get(1), sealed.get(2), sealed.get(3),
          blankToNull(join.language()), join.skills() == null ? null : new HashSet<>(join.skills()),
          blankToNull(join.productInterest()), blankToNull(join.productUrl()), Boolean.TRUE.equals(join.consent()));
    }, blocking), Encrypted::new);
    return this;
  }

  /** A booked shopper: Scheduling checks the link and the time; the booking's details make the ticket. */
  private Behavior<Command> onJoinBooking(WidgetRequest.JoinBooking join) {
    if (ticketId != null) return error("already_queued", "This socket already has a place", null);
    if (join.token() == null || join.token().isBlank()) return error("invalid_field", "token is required", "token");
    if (join.resumeToken() != null && !RESUME_TOKEN.matcher(join.resumeToken()).matches()) {
      return error("invalid_field", "resumeToken is not a resume token", "resumeToken");
    }
    if (!joinAllowed.getAsBoolean()) return error("too_many_joins", "Too many joins from this address; try again in a minute", null);
    busy = true;
    joinToken = join.resumeToken() != null ? join.resumeToken() : TenantQueue.newResumeToken();
    getContext().pipeToSelf(arrivals.arrive(tenantId, join.token()), Arrived::new);
    return this;
  }

  private Behavior<Command> onArrived(Arrived arrived) {
    if (closed) return Behaviors.stopped(); // nothing was asked of the queue yet
    if (arrived.failure() != null) {
      busy = false;
      Throwable cause = arrived.failure() instanceof CompletionException && arrived.failure().getCause() != null
          ? arrived.failure().getCause() : arrived.failure();
      // Scheduling's refusals keep their codes (invalid_booking_link, booking_cancelled, ...).
      Optional<Refused> refused = Refused.of(cause);
      if (refused.isPresent()) return error(refused.get().code(), refused.get().message(), null);
      getContext().getLog().error("Cannot look up a booked shopper's booking", cause);
      return error("unavailable", "The queue cannot take you right now; try again", null);
    }
    subject = arrived.arrival().details().subjectId();
    booking = arrived.arrival().booking();
    askToJoin(arrived.arrival().details(), 1);
    return this;
  }

  private Behavior<Command> onEncrypted(Encrypted encrypted) {
    if (closed) return Behaviors.stopped(); // nothing was asked of the queue yet
    if (encrypted.failure() != null) {
      busy = false;
      getContext().getLog().error("Cannot encrypt a shopper's details", encrypted.failure());
      return error("unavailable", "The queue cannot take you right now; try again", null);
    }
    askToJoin(encrypted.details(), 1);
    return this;
  }

  private void askToJoin(TicketDetails details, int attempt) {
    String token = joinToken;
    Ticket.Booked booked = booking;
    getContext().ask(TenantQueue.JoinReply.class, queue, askTimeout,
        replyTo -> new TenantQueue.Join(details, token, replyTo, booked),
        (reply, failure) -> new Joined(reply, failure, details, attempt));
  }

  private Behavior<Command> onJoined(Joined joined) {
    if (joined.failure() != null && joined.attempt() < JOIN_ATTEMPTS) {
      // The place may have been made and only the answer is late: ask again, the same join.
      askToJoin(joined.details(), joined.attempt() + 1);
      return this;
    }
    busy = false;
    if (closed) {
      // Nobody is there to hear it: the place keeps the reconnect grace (the widget may join again
      // with the same token, or resume), then goes.
      if (joined.reply() instanceof TenantQueue.Queued queued) {
        queue.tell(new TenantQueue.ShopperDisconnected(queued.ticketId()));
      } else if (joined.reply() instanceof TenantQueue.Refused refused && NOT_ADMITTED.contains(refused.reason())) {
        discardSubject(joined.details().subjectId());
      }
      return Behaviors.stopped();
    }
    if (joined.failure() != null) return error("unavailable", "The queue did not answer; try again", null);
    if (joined.reply() instanceof TenantQueue.Queued queued) {
      resumeToken = queued.resumeToken();
      position = queued.position();
      estimatedWait = range(queued.estimatedWait());
      send(new WidgetEvent.Queued(queued.ticketId(), queued.resumeToken(), position, estimatedWait,
          consents.token(tenantId, joined.details().subjectId())));
      follow(queued.ticketId());
    } else {
      TenantQueue.Refused refused = (TenantQueue.Refused) joined.reply();
      if (NOT_ADMITTED.contains(refused.reason())) discardSubject(joined.details().subjectId());
      refused(refused);
    }
    return this;
  }

  /** Refusals that mean the queue took nothing: no ticket holds the subject this join made up. */
  private static final java.util.Set<Refusal> NOT_ADMITTED = java.util.EnumSet.of(Refusal.QUEUE_FULL,
      Refusal.QUEUE_CLOSED, Refusal.TENANT_SUSPENDED, Refusal.INSUFFICIENT_FUNDS, Refusal.PLAN_LIMIT);

  /** The refused join's subject key goes again: a refusal leaves no key row behind. */
  private void discardSubject(String subjectId) {
    if (subjectId.equals(subject)) subject = null;
    // A booked join's subject is the booking's own: it holds the booking's details, so it stays.
    if (booking != null) return;
    CompletableFuture.runAsync(() -> vault.discardUnused(subjectId), blocking).whenComplete((done, failure) -> {
      if (failure != null) LOG.warn("Cannot discard a refused join's subject", failure);
    });
  }

  private Behavior<Command> onResume(WidgetRequest.Resume resume) {
    if (ticketId != null) return error("already_queued", "This socket already has a place", null);
    if (resume.ticketId() == null || resume.resumeToken() == null) {
      return error("invalid_field", "resume needs ticketId and resumeToken",
          resume.ticketId() == null ? "ticketId" : "resumeToken");
    }
    busy = true;
    resumeToken = resume.resumeToken();
    askToResume(resume.ticketId(), false, 1);
    return this;
  }

  /** A check (the session's own question) waits the ask time-out once; a shopper's resume is asked again. */
  private void askToResume(String resuming, boolean check, int attempt) {
    String token = resumeToken;
    getContext().ask(TenantQueue.ResumeReply.class, queue, check ? askTimeout : resumeAskTimeout,
        replyTo -> new TenantQueue.Resume(resuming, token, replyTo),
        (reply, failure) -> new ResumeAnswer(resuming, reply, failure, check, attempt));
  }

  private Behavior<Command> onResumed(ResumeAnswer answer) {
    if (answer.failure() != null && !answer.check() && !closed && answer.attempt() < RESUME_ATTEMPTS) {
      askToResume(answer.ticketId(), false, answer.attempt() + 1);
      return this;
    }
    busy = false;
    if (closed) {
      if (answer.reply() instanceof TenantQueue.Resumed resumed) {
        queue.tell(new TenantQueue.ShopperDisconnected(resumed.ticketId()));
      }
      return Behaviors.stopped();
    }
    if (answer.failure() != null) {
      if (answer.check()) return this; // asked again at the next view
      return error("unavailable", "The queue did not answer; try again", null);
    }
    if (answer.reply() instanceof TenantQueue.ResumedAssigned assigned) {
      // Accepted while the shopper was away, or the update saying so was missed: the same room.
      follow(null);
      subject = assigned.subjectId();
      send(new WidgetEvent.Assigned(assigned.roomId(), roomTokens.issue(RoomPass.shopper(assigned.roomId(), tenantId,
          assigned.ticketId(), assigned.agentId(), assigned.subjectId()))));
    } else if (answer.reply() instanceof TenantQueue.Resumed resumed) {
      position = resumed.position();
      estimatedWait = range(resumed.estimatedWait());
      if (!answer.check()) send(new WidgetEvent.Queued(resumed.ticketId(), null, position, estimatedWait));
      if (!resumed.ticketId().equals(ticketId)) follow(resumed.ticketId());
    } else if (answer.check()) {
      send(new WidgetEvent.Left(ticketId, "abandoned"));
      follow(null);
    } else {
      refused((TenantQueue.Refused) answer.reply());
    }
    return this;
  }

  /** Takes back consent by its signed token: any time, with or without a place on this socket. */
  private Behavior<Command> onWithdrawConsent(WidgetRequest.WithdrawConsent withdraw) {
    busy = true;
    getContext().pipeToSelf(CompletableFuture.supplyAsync(
        () -> consents.withdraw(withdraw.consentToken(), withdraw.purposes()), blocking), ConsentAnswer::new);
    return this;
  }

  private Behavior<Command> onConsentWithdrawn(ConsentAnswer answer) {
    busy = false;
    if (closed) return Behaviors.stopped(); // its place (if any) was told of the close already
    Throwable failure = answer.failure() instanceof java.util.concurrent.CompletionException wrapped
        ? wrapped.getCause() : answer.failure();
    Optional<Refused> refused = Refused.of(failure);
    if (refused.isPresent()) {
      FieldError first = refused.get().errors().isEmpty() ? null : refused.get().errors().get(0);
      return first == null ? error(refused.get().code(), refused.get().message(), "consentToken")
          : error(first.code(), first.message(), first.field());
    }
    if (failure != null) {
      getContext().getLog().warn("Cannot withdraw a consent: {}", failure.toString());
      return error("unavailable", "The consent could not be changed right now; try again", null);
    }
    send(new WidgetEvent.ConsentWithdrawn(answer.withdrawn().purposes(),
        List.copyOf(answer.withdrawn().withdrawn().keySet())));
    return this;
  }

  private Behavior<Command> onLeave() {
    if (ticketId == null) return error("not_in_queue", "This socket has no place to leave", null);
    busy = true;
    String leaving = ticketId;
    getContext().ask(TenantQueue.Confirmation.class, queue, askTimeout,
        replyTo -> new TenantQueue.Leave(leaving, replyTo), (reply, failure) -> new LeaveAnswer(leaving, reply, failure));
    return this;
  }

  private Behavior<Command> onLeft(LeaveAnswer answer) {
    busy = false;
    if (closed) return Behaviors.stopped();
    if (answer.failure() != null) return error("unavailable", "The queue did not answer; try again", null);
    if (answer.ticketId().equals(ticketId)) {
      follow(null);
      send(new WidgetEvent.Left(answer.ticketId(), "left"));
    }
    return this;
  }

  /** Position changes, and the end of the wait: assigned to an agent, or let go by the queue. */
  private Behavior<Command> onNews(TicketNews news) {
    if (ticketId == null || closed || !news.ticketId().equals(ticketId)) return this;
    if (news instanceof TicketNews.Assigned assigned) {
      follow(null);
      String shopper = assigned.subjectId() != null ? assigned.subjectId() : subject;
      send(new WidgetEvent.Assigned(assigned.roomId(), roomTokens.issue(RoomPass.shopper(assigned.roomId(), tenantId,
          assigned.ticketId(), assigned.agentId(), shopper))));
    } else if (news instanceof TicketNews.Abandoned abandoned) {
      send(new WidgetEvent.Left(ticketId,
          abandoned.reason() == TenantQueue.AbandonReason.MAX_WAIT_REACHED ? "timed_out" : "abandoned"));
      follow(null);
    } else if (news instanceof TicketNews.Gone) {
      // Gone without a word this feed heard (e.g. it subscribed again and the accept fell in
      // between): the queue still knows where it went.
      if (!busy && resumeToken != null) {
        busy = true;
        askToResume(ticketId, true, 1);
      }
    } else if (news instanceof TicketNews.Standing standing) {
      WaitRange wait = range(standing.estimatedWait());
      if (standing.position() != position || !Objects.equals(wait, estimatedWait)) {
        position = standing.position();
        estimatedWait = wait;
        send(new WidgetEvent.Position(position, estimatedWait));
      }
    }
    return this;
  }

  private void refused(TenantQueue.Refused refused) {
    send(new WidgetEvent.Refused(refused.reason().code(), refusalMessage(refused.reason()), refused.nextOpeningAt()));
  }

  static String refusalMessage(Refusal reason) {
    return switch (reason) {
      case QUEUE_FULL -> "The queue is full right now; try again in a little while";
      case QUEUE_CLOSED -> "We are closed right now";
      case TENANT_SUSPENDED -> "This shop's live help is not available";
      case INSUFFICIENT_FUNDS, PLAN_LIMIT -> "This shop cannot take video calls right now";
      case UNKNOWN_TICKET -> "That place in the queue no longer exists";
      case INVALID_RESUME_TOKEN -> "That place belongs to someone else";
      default -> "The request was refused";
    };
  }

  /** Every field checked against its limit; the first problem is reported with its field. */
  static ErrorMessage validate(WidgetRequest.Join join) {
    if (join.name() == null || join.name().isBlank()) return invalid("name", "is required");
    if (join.name().strip().length() > 100) return invalid("name", "is at most 100 characters");
    // An agent is shown these: no NUL, no escape sequences, no line breaks except in the notes.
    String controlled = firstWithControlCharacters(join);
    if (controlled != null) return invalid(controlled, "must not contain control characters");
    if (join.email() != null && !join.email().isBlank() && (join.email().length() > 254 || !EMAIL.matcher(join.email()).matches())) {
      return invalid("email", "is not an email address");
    }
    if (join.phone() != null && !join.phone().isBlank() && !PHONE.matcher(join.phone()).matches()) {
      return invalid("phone", "is not a phone number");
    }
    if (join.language() != null && !join.language().isBlank() && !LANGUAGE.matcher(join.language()).matches()) {
      return invalid("language", "is not a language tag such as en or pt-BR");
    }
    List<String> skills = join.skills() == null ? List.of() : join.skills();
    if (skills.size() > TicketDetails.MAX_TAGS
        || skills.stream().anyMatch(skill -> skill == null || skill.isBlank() || skill.length() > TicketDetails.MAX_TAG_LENGTH)) {
      return invalid("skills", "at most " + TicketDetails.MAX_TAGS + " tags of 1 to " + TicketDetails.MAX_TAG_LENGTH
          + " characters");
    }
    if (join.productInterest() != null && join.productInterest().length() > 200) {
      return invalid("productInterest", "is at most 200 characters");
    }
    if (join.productUrl() != null && !join.productUrl().isBlank() && !isWebUrl(join.productUrl())) {
      return invalid("productUrl", "is not an http(s) URL of at most " + TicketDetails.MAX_URL_LENGTH + " characters");
    }
    if (join.notes() != null && join.notes().length() > TicketDetails.MAX_TEXT_LENGTH) {
      return invalid("notes", "is at most " + TicketDetails.MAX_TEXT_LENGTH + " characters");
    }
    if (join.resumeToken() != null && !RESUME_TOKEN.matcher(join.resumeToken()).matches()) {
      return invalid("resumeToken", "is " + TenantQueue.MIN_RESUME_TOKEN_LENGTH + " to "
          + TenantQueue.MAX_RESUME_TOKEN_LENGTH + " characters of A-Z, a-z, 0-9, - and _");
    }
    return null;
  }

  private static String firstWithControlCharacters(WidgetRequest.Join join) {
    if (hasControl(join.name(), false)) return "name";
    if (hasControl(join.email(), false)) return "email";
    if (hasControl(join.phone(), false)) return "phone";
    if (hasControl(join.language(), false)) return "language";
    if (join.skills() != null && join.skills().stream().anyMatch(skill -> hasControl(skill, false))) return "skills";
    if (hasControl(join.productInterest(), false)) return "productInterest";
    if (hasControl(join.productUrl(), false)) return "productUrl";
    if (hasControl(join.notes(), true)) return "notes";
    return null;
  }

  static boolean hasControl(String value, boolean lineBreaksAllowed) {
    if (value == null) return false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c) && !(lineBreaksAllowed && (c == '\n' || c == '\r' || c == '\t'))) return true;
    }
    return false;
  }

  private static boolean isWebUrl(String url) {
    try {
      URI uri = new URI(url);
      return url.length() <= TicketDetails.MAX_URL_LENGTH && uri.getHost() != null
          && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()));
    } catch (Exception e) {
      return false;
    }
  }

  private static ErrorMessage invalid(String field, String message) {
    return new ErrorMessage("invalid_field", field + " " + message, field);
  }

  static WaitRange range(WaitEstimate.Range range) {
    return range == null ? null : new WaitRange(range.low().toSeconds(), range.high().toSeconds());
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }

  /** A refusal that answers as an {@code error} frame with its code: a domain's {@link DomainError}; empty for any other failure. */
  private record Refused(String code, String message, List<FieldError> errors) {
    static Optional<Refused> of(Throwable failure) {
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      if (cause instanceof DomainError e) return Optional.of(new Refused(e.code(), e.getMessage(), e.errors()));
      return Optional.empty();
    }
  }

  private Behavior<Command> error(String code, String message, String field) {
    send(new ErrorMessage(code, message, field));
    return this;
  }

  private void send(WidgetEvent event) {
    // A position is only ever the latest one: a slow client may skip those it has not read.
    out.tell(new Sockets.Frame(ProtocolCodec.encode(WidgetEvent.class, event),
        event instanceof WidgetEvent.Position ? "position" : null));
  }
}
