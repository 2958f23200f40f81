package io.videoshop.config;

/** Where the HTTP API, WebSockets and pages listen. Port 0 picks a free port (tests). */
public record HttpSettings(String host, int port, long maxRequestBodyBytes, boolean trustForwardedFor) {

  static HttpSettings read(SettingsReader at) {
    String host = at.string("host");
    if (host.isBlank()) at.problem("host", "must not be empty");
    return new HttpSettings(
        host, at.intBetween("port", 0, 65535), at.bytes("max-request-body", 1024), at.bool("trust-forwarded-for"));
  }
}
