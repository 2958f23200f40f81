package io.videoshop.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressGuardTest {

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
      "169.254.169.254", "100.100.100.200", "0.0.0.0", "224.0.0.1", "255.255.255.255", "192.0.0.192",
      "::1", "::", "fe80::1", "fd00:ec2::254", "fc00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254",
      "::ffff:10.0.0.1", "::127.0.0.1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::"})
  void refusesInternalAddressesInEveryForm(String literal) throws UnknownHostException {
    assertThat(AddressGuard.isInternal(InetAddress.getByName(literal))).as(literal).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"93.184.215.14", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111",
      "::ffff:8.8.8.8", "64:ff9b::808:808"})
  void allowsPublicAddresses(String literal) throws UnknownHostException {
    assertThat(AddressGuard.isInternal(InetAddress.getByName(literal))).as(literal).isFalse();
  }

  @Test
  void aHostIsRefusedWhenAnyOfItsAddressesIsInternalAndEachCheckResolvesAnew() throws Exception {
    Map<String, String[]> dns = new java.util.HashMap<>(Map.of(
        "shop.example", new String[] {"93.184.215.14"},
        "mixed.example", new String[] {"93.184.215.14", "10.0.0.5"},
        "receiver.internal", new String[] {"10.0.0.9"}));
    AddressGuard guard = new AddressGuard(List.of("receiver.internal"), host -> {
      String[] found = dns.get(host.toLowerCase(java.util.Locale.ROOT)); // DNS names are case-insensitive
      if (found == null) throw new UnknownHostException(host);
      InetAddress[] addresses = new InetAddress[found.length];
      for (int i = 0; i < found.length; i++) addresses[i] = InetAddress.getByName(found[i]);
      return addresses;
    });
    assertThat(guard.refusal("shop.example")).isEmpty();
    assertThat(guard.refusal("mixed.example")).hasValueSatisfying(r -> assertThat(r).contains("10.0.0.5"));
    assertThat(guard.refusal("nowhere.example")).hasValue("the host does not resolve");
    assertThat(guard.refusal("Receiver.Internal")).as("allowed by the platform setting").isEmpty();
    assertThat(guard.check("Receiver.Internal").addresses()).as("resolved, not checked")
        .containsExactly(InetAddress.getByName("10.0.0.9"));
    assertThat(guard.check("mixed.example").addresses()).as("a refused host has no address to connect to").isEmpty();
    assertThat(guard.check("shop.example").addresses()).containsExactly(InetAddress.getByName("93.184.215.14"));
    // DNS rebinding: the same host now points inside; the next attempt's check sees it.
    dns.put("shop.example", new String[] {"169.254.169.254"});
    assertThat(guard.refusal("shop.example")).isPresent();
  }
}
