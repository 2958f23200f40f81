package io.videoshop.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** What a participant (shopper or agent) sends on {@code /ws/room?token=<room token>}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = RoomRequest.Signal.class, name = "signal"),
  @JsonSubTypes.Type(value = RoomRequest.Device.class, name = "device"),
  @JsonSubTypes.Type(value = RoomRequest.Stats.class, name = "stats"),
  @JsonSubTypes.Type(value = RoomRequest.ShowProduct.class, name = "product"),
  @JsonSubTypes.Type(value = RoomRequest.AddToCart.class, name = "add-to-cart"),
  @JsonSubTypes.Type(value = RoomRequest.HangUp.class, name = "hang-up"),
  @JsonSubTypes.Type(value = RoomRequest.Feedback.class, name = "feedback"),
  @JsonSubTypes.Type(value = RoomRequest.WrapUp.class, name = "wrap-up")
})
public interface RoomRequest {

  /**
   * WebRTC signaling for the other participant, relayed and never stored.
   *
   * @param kind {@code offer}, {@code answer} or {@code candidate}
   * @param sdp the session description, for offers and answers
   * @param candidate an ICE candidate line ({@code candidate:...}), for candidates; null or empty
   *     for the end of candidates
   * @param sdpMid the media stream id the candidate belongs to
   * @param sdpMLineIndex the m-line index the candidate belongs to
   */
  record Signal(String kind, String sdp, String candidate, String sdpMid, Integer sdpMLineIndex)
      implements RoomRequest {}

  /** What the browser says about itself: e.g. {@code navigator.connection.effectiveType}. */
  record Device(String connectionType, String platform) implements RoomRequest {}

  /**
   * The candidate pair WebRTC selected, from {@code getStats()}: {@code host}, {@code srflx},
   * {@code prflx} or {@code relay}.
   */
  record Stats(String localCandidateType, String remoteCandidateType, Double roundTripMillis) implements RoomRequest {}

  /** The agent shows a product in the call. */
  record ShowProduct(String sku, String title, String imageUrl, String price, String productUrl) implements RoomRequest {}

  /** The shopper presses "add to cart" on a product shown in the call. */
  record AddToCart(String sku) implements RoomRequest {}

  /** Ends the call for both. */
  record HangUp() implements RoomRequest {}

  /** The shopper rates the call, after it ended. */
  record Feedback(Integer rating, String comment) implements RoomRequest {}

  /**
   * The agent's wrap-up, after the call ended.
   *
   * @param outcome {@code sale}, {@code no-sale} or {@code follow-up}
   */
  record WrapUp(String outcome, String note) implements RoomRequest {}
}
