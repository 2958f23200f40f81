package io.videoshop.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The networks whose {@code X-Forwarded-For} is believed (the ingress controller's pods, a load
 * balancer). A client address is taken from the header only when the connection comes from one of
 * them, and then the right-most hop that is not itself a trusted proxy: hops further left were
 * written by the client and prove nothing.
 */
public record TrustedProxies(List<String> cidrs) {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  public static final TrustedProxies NONE = new TrustedProxies(List.of());

  public TrustedProxies {
    cidrs = List.copyOf(cidrs);
    for (String cidr : cidrs) network(cidr);
  }

  /** Parses a comma-separated list; throws {@link IllegalArgumentException} naming a bad entry. */
  public static TrustedProxies parse(String commaSeparated) {
    return new TrustedProxies(Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .toList());
  }

  public boolean isEmpty() {
    return cidrs.isEmpty();
  }

  public boolean contains(InetAddress address) {
    byte[] bytes = address.getAddress();
    for (String cidr : cidrs) {
      Network network = network(cidr);
      if (network.matches(bytes)) return true;
    }
    return false;
  }

  /**
   * The client's address: the peer, unless the peer is a trusted proxy; then walk the forwarded
   * hops (all {@code X-Forwarded-For} values in order) from the right, past trusted proxies, and
   * stop at the first untrusted or unreadable hop.
   */
  public InetAddress client(InetAddress peer, List<String> forwardedFor) {
    if (isEmpty() || !contains(peer)) return peer;
    List<String> hops = new ArrayList<>();
    for (String header : forwardedFor) {
      for (String hop : header.split(",")) hops.add(hop.trim());
    }
    InetAddress client = peer;
    for (int i = hops.size() - 1; i >= 0; i--) {
      InetAddress hop = literal(hops.get(i));
      if (hop == null) break;
      client = hop;
      if (!contains(hop)) break;
    }
    return client;
  }

  /** An IP literal, never a DNS lookup; null when the text is not one. */
  static InetAddress literal(String text) {
    String candidate = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    if (!IPV4.matcher(candidate).matches() && !IPV6.matcher(candidate).matches()) return null;
    try {
      return InetAddress.getByName(candidate);
    } catch (UnknownHostException | SecurityException e) {
      return null;
    }
  }

  private record Network(byte[] base, int prefix) {
    boolean matches(byte[] address) {
      if (address.length != base.length) return false;
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != base[i]) return false;
      }
      int rest = prefix % 8;
      if (rest == 0) return true;
      int mask = (0xFF << (8 - rest)) & 0xFF;
      return (address[full] & mask) == (base[full] & mask);
    }
  }

  private static Network network(String cidr) {
    String[] parts = cidr.split("/", -1);
    InetAddress base = parts.length <= 2 ? literal(parts[0]) : null;
    if (base == null) throw new IllegalArgumentException("not an address or CIDR: " + cidr);
    int bits = base.getAddress().length * 8;
    int prefix;
    try {
      prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : bits;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an address or CIDR: " + cidr);
    }
    if (prefix < 0 || prefix > bits) throw new IllegalArgumentException("prefix out of range in " + cidr);
    return new Network(base.getAddress(), prefix);
  }
}
