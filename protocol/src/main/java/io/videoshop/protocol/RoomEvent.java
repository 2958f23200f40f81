package io.videoshop.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import java.util.List;

/** What the server sends a participant on {@code /ws/room}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = RoomEvent.Joined.class, name = "room"),
  @JsonSubTypes.Type(value = RoomEvent.PeerJoined.class, name = "peer-joined"),
  @JsonSubTypes.Type(value = RoomEvent.PeerLeft.class, name = "peer-left"),
  @JsonSubTypes.Type(value = RoomEvent.CallStarted.class, name = "call-started"),
  @JsonSubTypes.Type(value = RoomEvent.Relayed.class, name = "signal"),
  @JsonSubTypes.Type(value = RoomEvent.Product.class, name = "product"),
  @JsonSubTypes.Type(value = RoomEvent.AddedToCart.class, name = "added-to-cart"),
  @JsonSubTypes.Type(value = RoomEvent.Minute.class, name = "minute"),
  @JsonSubTypes.Type(value = RoomEvent.LowBalance.class, name = "low-balance"),
  @JsonSubTypes.Type(value = RoomEvent.CallEnded.class, name = "call-ended"),
  @JsonSubTypes.Type(value = RoomEvent.Done.class, name = "ok"),
  @JsonSubTypes.Type(value = ErrorMessage.class, name = "error"),
  @JsonSubTypes.Type(value = Reconnect.class, name = "reconnect")
})
public interface RoomEvent {

  /** A STUN or TURN server for {@code RTCPeerConnection}'s {@code iceServers}. */
  record IceServer(List<String> urls, String username, String credential) {}

  /**
   * First message: this participant is in the room.
   *
   * @param role {@code shopper} or {@code agent}; by convention the agent makes the WebRTC offer
   * @param peerConnected whether the other participant is in the room now
   * @param state {@code waiting} (for the other), {@code in-call}, {@code ended}
   * @param products shown so far (a reconnecting participant sees them again)
   */
  record Joined(String roomId, String role, List<IceServer> iceServers, boolean peerConnected, String state,
      List<Product> products) implements RoomEvent {}

  record PeerJoined(String role) implements RoomEvent {}

  /** The other participant dropped; they have {@code graceSeconds} to come back before the call ends. */
  record PeerLeft(String role, long graceSeconds) implements RoomEvent {}

  /** Both are in: the call (and its billing) started. */
  record CallStarted(Instant at) implements RoomEvent {}

  /** Signaling from the other participant (as in {@link RoomRequest.Signal}). */
  record Relayed(String kind, String sdp, String candidate, String sdpMid, Integer sdpMLineIndex) implements RoomEvent {}

  /** A product the agent shows. */
  record Product(String sku, String title, String imageUrl, String price, String productUrl) implements RoomEvent {}

  /** The shopper added a shown product to their cart (sent to the agent). */
  record AddedToCart(String sku) implements RoomEvent {}

  /** The call entered its n-th minute (0 for the first); each started minute is billed once. */
  record Minute(long index) implements RoomEvent {}

  /**
   * The merchant's balance runs low. When {@code exhausted}, the call ends after
   * {@code graceSeconds} unless the balance is topped up meanwhile.
   */
  record LowBalance(boolean exhausted, long graceSeconds) implements RoomEvent {}

  /**
   * @param reason {@code hung-up}, {@code participant-lost}, {@code max-length}, {@code no-show},
   *     {@code balance-exhausted}
   */
  record CallEnded(String reason, String endedBy, long durationSeconds) implements RoomEvent {}

  /** A request was carried out ({@code feedback}, {@code wrap-up}, {@code product}, ...). */
  record Done(String request) implements RoomEvent {}
}
