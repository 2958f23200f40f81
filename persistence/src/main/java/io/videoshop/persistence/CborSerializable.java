package io.videoshop.persistence;

/**
 * Marker for every message that may cross nodes and every persisted event, state and snapshot:
 * bound to Pekko's Jackson CBOR serializer in {@code serialization.conf}. Evolve persisted types
 * with a {@code JacksonMigration}, never by renaming silently.
 */
public interface CborSerializable {}
