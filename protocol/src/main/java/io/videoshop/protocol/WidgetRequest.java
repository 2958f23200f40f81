package io.videoshop.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/** What the widget (a shopper's browser) sends on {@code /ws/widget}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = WidgetRequest.Join.class, name = "join"),
  @JsonSubTypes.Type(value = WidgetRequest.JoinBooking.class, name = "join-booking"),
  @JsonSubTypes.Type(value = WidgetRequest.Leave.class, name = "leave"),
  @JsonSubTypes.Type(value = WidgetRequest.Resume.class, name = "resume"),
  @JsonSubTypes.Type(value = WidgetRequest.WithdrawConsent.class, name = "withdraw-consent")
})
public interface WidgetRequest {

  /**
   * Take a place in the queue. Only {@code name} is required. Name, email, phone and notes are
   * personal data: the server keeps them encrypted.
   *
   * @param language e.g. "de": only an agent speaking it is offered the shopper
   * @param skills e.g. ["running"]: an agent needs all of them
   * @param consent the shopper agrees to be contacted after the call
   * @param resumeToken optional, made by the widget (32 to 128 characters of A-Z, a-z, 0-9, - and
   *     _): a join sent again with the same token (e.g. on a new socket after the first one closed
   *     before {@code queued}) gets the same place, never a second one
   * @param policyVersion optional: the version (or text id) of the privacy policy the shopper was
   *     shown, recorded with their consent
   * @param purposes optional: what the shopper agreed to besides the call ({@code call},
   *     {@code call-summary-mail}, {@code marketing}); {@code consent} true implies the summary mail
   */
  record Join(String name, String email, String phone, String language, List<String> skills,
      String productInterest, String productUrl, String notes, Boolean consent, String resumeToken,
      String policyVersion, List<String> purposes)
      implements WidgetRequest {
    public Join(String name, String email, String phone, String language, List<String> skills,
        String productInterest, String productUrl, String notes, Boolean consent) {
      this(name, email, phone, language, skills, productInterest, productUrl, notes, consent, null);
    }

    public Join(String name, String email, String phone, String language, List<String> skills,
        String productInterest, String productUrl, String notes, Boolean consent, String resumeToken) {
      this(name, email, phone, language, skills, productInterest, productUrl, notes, consent, resumeToken, null, null);
    }
  }

  /**
   * Take a place as the shopper of a booking (Scheduling), with the token of the booking's signed
   * link: the booking's details, no form. Offered first to the booked agent, ahead of walk-ins; an
   * early arrival waits for the start. Answered like {@code join} ({@code queued}), or an error:
   * {@code invalid_booking_link}, {@code booking_not_found}, {@code booking_cancelled},
   * {@code arrival_too_early}, {@code booking_over}.
   *
   * @param resumeToken optional, as for {@code join}
   */
  record JoinBooking(String token, String resumeToken) implements WidgetRequest {}

  /**
   * Take back consent (any time, with or without a place): {@code consentToken} from
   * {@code queued} or a booking's confirmation; {@code purposes} among {@code call-summary-mail}
   * and {@code marketing} (none: both).
   */
  record WithdrawConsent(String consentToken, List<String> purposes) implements WidgetRequest {}

  /** Give up the place. */
  record Leave() implements WidgetRequest {}

  /** Take back a place after a dropped connection, within the reconnect grace. */
  record Resume(String ticketId, String resumeToken) implements WidgetRequest {}
}
