package io.videoshop.http;

import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.mapRequest;
import static org.apache.pekko.http.javadsl.server.Directives.mapResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoshop.config.TrustedProxies;
import java.io.IOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.MDC;

/**
 * Every request (and so every socket, whose upgrade is a request) gets an id: the one a trusted
 * proxy sent in {@code X-Request-Id} (ingress-nginx generates one), else a new one. It is put on
 * the request for the handlers, returned in the response's {@code X-Request-Id}, set as
 * problem+json's {@code instance}, carried in log lines (MDC key {@value #MDC_KEY}) and recorded in
 * audit entries, so one shopper's or agent's request can be followed through the logs of every node.
 */
public final class RequestIds {
  public static final String HEADER = "X-Request-Id";
  public static final String MDC_KEY = "requestId";
  /** What a forwarded id may look like: no spaces, quotes or control characters reach a log line. */
  private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9._:-]{8,64}");
  private static final char[] ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private RequestIds() {}

  public static Route route(TrustedProxies trustedProxies, Supplier<Route> inner) {
    return extractRequest(request -> {
      String id = forwarded(request, trustedProxies).orElseGet(RequestIds::newId);
      return mapRequest(r -> r.removeHeader(HEADER).addHeader(RawHeader.create(HEADER, id)), () ->
          mapResponse(response -> withInstance(response, id).addHeader(RawHeader.create(HEADER, id)), inner));
    });
  }

  /** The id {@link #route} put on this request (a request that did not pass through it gets a new one). */
  public static String of(HttpRequest request) {
    return request.getHeader(HEADER).map(HttpHeader::value).orElseGet(RequestIds::newId);
  }

  /** The problem's {@code instance}: where its request can be found in the logs. */
  public static String instance(String id) {
    return "urn:videoshop:request:" + id;
  }

  /** Runs {@code work} with the id in the logging context of this thread, as it was before afterwards. */
  public static <T> T withMdc(String id, Supplier<T> work) {
    String before = MDC.get(MDC_KEY);
    MDC.put(MDC_KEY, id);
    try {
      return work.get();
    } finally {
      if (before == null) MDC.remove(MDC_KEY); else MDC.put(MDC_KEY, before);
    }
  }

  /**
   * A socket session's behaviour whose log lines carry {@code id}, the id of the upgrade request
   * that opened its socket (and that the upgrade's response returned).
   */
  public static <C> Behavior<C> forSession(String id, Class<C> type, Behavior<C> session) {
    return Behaviors.withMdc(type, Map.of(MDC_KEY, id), session);
  }

  static String newId() {
    char[] id = new char[20];
    for (int i = 0; i < id.length; i++) id[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    return new String(id);
  }

  private static Optional<String> forwarded(HttpRequest request, TrustedProxies trustedProxies) {
    Optional<String> sent = request.getHeader(HEADER).map(HttpHeader::value).filter(v -> WELL_FORMED.matcher(v).matches());
    if (sent.isEmpty()) return sent;
    Optional<InetAddress> peer = request.getAttribute(AttributeKeys.remoteAddress).flatMap(RemoteAddress::getAddress);
    return peer.isPresent() && trustedProxies.contains(peer.get()) ? sent : Optional.empty();
  }

  /** Adds {@code instance} to a problem+json body (every problem, also those from rejections). */
  private static HttpResponse withInstance(HttpResponse response, String id) {
    HttpEntity entity = response.entity();
    if (!(entity instanceof HttpEntity.Strict strict)
        || !"application/problem+json".equals(entity.getContentType().mediaType().toString())) {
      return response;
    }
    try {
      JsonNode problem = Json.MAPPER.readTree(strict.getData().toArray());
      if (!(problem instanceof ObjectNode object) || object.has("instance")) return response;
      object.put("instance", instance(id));
      return response.withEntity(strict.getContentType(), Json.MAPPER.writeValueAsBytes(object));
    } catch (IOException e) {
      return response;
    }
  }
}
