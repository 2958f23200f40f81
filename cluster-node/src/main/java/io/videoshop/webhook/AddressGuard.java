package io.videoshop.webhook;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The SSRF guard: a webhook URL is a merchant's string the node will post to, so before every
 * attempt its host is resolved and the attempt is refused when any address is loopback, private,
 * link-local (cloud metadata at 169.254.169.254 included), carrier-grade NAT, multicast, the
 * unspecified address or an IPv6 form of one of them (IPv4-mapped, IPv4-compatible, NAT64,
 * unique-local, 6to4). A host the platform allows ({@code videoshop.webhooks.allowed-hosts})
 * skips the check (a receiver inside the operator's network, tests on loopback). The addresses
 * checked are the ones {@link WebhookSender} connects to: the host is looked up once per attempt.
 */
public final class AddressGuard {
  private final List<String> allowedHosts;
  private final Resolver resolver;

  /** Resolves a host to all its addresses (DNS in production; a fixed table in tests). */
  @FunctionalInterface
  public interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  public AddressGuard(List<String> allowedHosts) {
    this(allowedHosts, InetAddress::getAllByName);
  }

  public AddressGuard(List<String> allowedHosts, Resolver resolver) {
    this.allowedHosts = allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
    this.resolver = resolver;
  }

  public boolean allowsHost(String host) {
    return allowedHosts.contains(host.toLowerCase(Locale.ROOT));
  }

  /**
   * What one check found: either why the node must not post to the host, or the addresses it may
   * connect to. The connection must go to one of these addresses, never to a second look-up's
   * answer (DNS rebinding between the check and the connect).
   */
  public record Verdict(Optional<String> refusal, List<InetAddress> addresses) {
    static Verdict refused(String why) {
      return new Verdict(Optional.of(why), List.of());
    }
  }

  /** Why the node must not post to this host; empty when it may. Resolves the host (blocking). */
  public Optional<String> refusal(String host) {
    return check(host).refusal();
  }

  /**
   * Resolves the host once and checks every address (a host the platform allows is resolved but
   * not checked). Blocking.
   */
  public Verdict check(String host) {
    if (host == null || host.isEmpty()) return Verdict.refused("the URL has no host");
    InetAddress[] addresses;
    try {
      addresses = resolver.resolve(host);
    } catch (UnknownHostException e) {
      return Verdict.refused("the host does not resolve");
    }
    if (addresses == null || addresses.length == 0) return Verdict.refused("the host does not resolve");
    if (!allowsHost(host)) {
      for (InetAddress address : addresses) {
        if (isInternal(address)) {
          return Verdict.refused("the host resolves to an internal address (" + address.getHostAddress() + ")");
        }
      }
    }
    return new Verdict(Optional.empty(), List.of(addresses));
  }

  /** Whether the address is one a webhook must never reach. */
  static boolean isInternal(InetAddress address) {
    if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
        || address.isSiteLocalAddress() || address.isMulticastAddress()) {
      return true;
    }
    byte[] b = address.getAddress();
    if (address instanceof Inet4Address) return isInternalV4(b);
    if (address instanceof Inet6Address) {
      int first = b[0] & 0xff;
      if ((first & 0xfe) == 0xfc) return true; // fc00::/7 unique local (AWS metadata fd00:ec2::254)
      if (first == 0xfe && (b[1] & 0xc0) == 0xc0) return true; // fec0::/10 old site-local
      if (allZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) return isInternalV4(tail(b, 12));
      if (allZero(b, 0, 12)) return true; // ::a.b.c.d IPv4-compatible (and :: / ::1)
      if (first == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
          && allZero(b, 4, 12)) {
        return isInternalV4(tail(b, 12)); // 64:ff9b::/96 NAT64
      }
      if (first == 0x20 && (b[1] & 0xff) == 0x02) return isInternalV4(tail(b, 2)); // 2002::/16 6to4
      return false;
    }
    return true;
  }

  private static boolean isInternalV4(byte[] b) {
    int a0 = b[0] & 0xff;
    int a1 = b[1] & 0xff;
    return a0 == 0 || a0 == 10 || a0 == 127 || a0 >= 224 // this network, private, loopback, multicast, reserved
        || (a0 == 169 && a1 == 254) // link-local, cloud metadata
        || (a0 == 172 && a1 >= 16 && a1 <= 31) || (a0 == 192 && a1 == 168)
        || (a0 == 100 && a1 >= 64 && a1 <= 127) // carrier-grade NAT (Alibaba metadata 100.100.100.200)
        || (a0 == 192 && a1 == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments (Oracle metadata 192.0.0.192)
        || (a0 == 198 && (a1 == 18 || a1 == 19)); // benchmarking
  }

  private static byte[] tail(byte[] b, int from) {
    return new byte[] {b[from], b[from + 1], b[from + 2], b[from + 3]};
  }

  private static boolean allZero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) if (b[i] != 0) return false;
    return true;
  }
}
