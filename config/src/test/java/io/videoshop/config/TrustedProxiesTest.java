package io.videoshop.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {
  private final TrustedProxies proxies = TrustedProxies.parse("10.0.0.0/8, 192.168.1.7, fd00::/8");

  @Test
  void aPeerThatIsNoTrustedProxyIsTheClientWhateverItForwards() throws Exception {
    assertThat(proxies.client(ip("203.0.113.5"), List.of("1.1.1.1")).getHostAddress()).isEqualTo("203.0.113.5");
    assertThat(TrustedProxies.NONE.client(ip("10.0.0.1"), List.of("1.1.1.1")).getHostAddress()).isEqualTo("10.0.0.1");
  }

  @Test
  void behindTrustedProxiesTheClientIsTheRightMostUntrustedHop() throws Exception {
    assertThat(proxies.client(ip("10.2.3.4"), List.of("6.6.6.6, 203.0.113.5, 192.168.1.7")).getHostAddress())
        .isEqualTo("203.0.113.5");
    assertThat(proxies.client(ip("10.2.3.4"), List.of("6.6.6.6", "203.0.113.5")).getHostAddress())
        .isEqualTo("203.0.113.5");
    assertThat(proxies.client(ip("fd00::1"), List.of("2001:db8::9")).getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:9");
    // No header: the proxy itself; an unreadable hop (a name, garbage) ends the walk at the last good one.
    assertThat(proxies.client(ip("10.2.3.4"), List.of()).getHostAddress()).isEqualTo("10.2.3.4");
    assertThat(proxies.client(ip("10.2.3.4"), List.of("evil.example.com, 10.9.9.9")).getHostAddress())
        .isEqualTo("10.9.9.9");
  }

  @Test
  void badEntriesAreRefusedAtStart() {
    assertThatThrownBy(() -> TrustedProxies.parse("10.0.0.0/33")).hasMessageContaining("10.0.0.0/33");
    assertThatThrownBy(() -> TrustedProxies.parse("ingress.local")).hasMessageContaining("ingress.local");
    assertThatThrownBy(() -> VideoShopSettings.from(ConfigFactory.parseString(
            "videoshop.http.trusted-proxies = \"10.0.0.0/x\"").withFallback(ConfigFactory.defaultReference()).resolve()))
        .hasMessageContaining("videoshop.http.trusted-proxies");
  }

  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }
}
