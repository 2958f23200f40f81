package io.videoshop.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videoshop.persistence.TestDatabase;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Marked types travel as Jackson CBOR; anything else is refused rather than Java-serialized. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SerializationTest {
  private ActorSystem<Void> system;
  private Serialization serialization;

  @BeforeAll
  void start() {
    system = ActorSystem.create(Behaviors.empty(), "serialization", TestNodes.config(TestDatabase.h2InMemory()));
    serialization = SerializationExtension.get(Adapter.toClassic(system));
  }

  @AfterAll
  void stop() {
    system.terminate();
  }

  @Test
  void markedRecordsRoundTripThroughJacksonCbor() throws Exception {
    var state = new ProbeCounter.State(List.of("a", "b"));
    var encrypted = new EncryptedPersonalData("shopper-1", "AAAA");
    // What a node gossips of its caps' counts (Distributed Data carries it in an LWWMap).
    var share = new io.videoshop.http.ClusterShare(java.util.Map.of("tenant:t1", 2),
        java.util.Map.of("ip:203.0.113.7", new io.videoshop.http.ClusterShare.Taken(5, 2)));
    for (Object value : List.of(state, new ProbeCounter.Added("x"), encrypted, share)) {
      var serializer = serialization.findSerializerFor(value);
      assertThat(serializer).isInstanceOf(JacksonCborSerializer.class);
      byte[] bytes = serialization.serialize(value).get();
      Object back = serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, value)).get();
      assertThat(back).isEqualTo(value);
    }
  }

  @Test
  void unmarkedMessagesAreRefused() {
    record Unmarked(String text) {}
    assertThatThrownBy(() -> serialization.serialize(new Unmarked("x")).get())
        .hasMessageContaining("Unmarked");
  }
}
