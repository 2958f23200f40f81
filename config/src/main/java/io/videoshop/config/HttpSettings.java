package io.videoshop.config;

/**
 * Where the HTTP API, WebSockets and pages listen. Port 0 picks a free port (tests).
 * {@code trustedProxies}: whose X-Forwarded-For names the client (none: the connection's peer).
 */
public record HttpSettings(String host, int port, long maxRequestBodyBytes, TrustedProxies trustedProxies) {

  static HttpSettings read(SettingsReader at) {
    String host = at.string("host");
    if (host.isBlank()) at.problem("host", "must not be empty");
    TrustedProxies proxies = TrustedProxies.NONE;
    try {
      proxies = TrustedProxies.parse(at.string("trusted-proxies"));
    } catch (IllegalArgumentException e) {
      at.problem("trusted-proxies", e.getMessage());
    }
    return new HttpSettings(
        host, at.intBetween("port", 0, 65535), at.bytes("max-request-body", 1024), proxies);
  }
}
