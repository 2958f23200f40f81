package io.videoshop.push;

import java.net.URI;

/** Where one browser receives pushes: its push service endpoint and its message encryption keys (decrypted). */
public record PushTarget(String subscriptionId, URI endpoint, byte[] p256dh, byte[] auth) {

  @Override
  public String toString() {
    // Never the endpoint or the keys: they identify a person's browser.
    return "PushTarget[" + subscriptionId + "]";
  }
}
