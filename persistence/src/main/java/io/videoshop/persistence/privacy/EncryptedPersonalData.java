package io.videoshop.persistence.privacy;

import io.videoshop.persistence.CborSerializable;

/**
 * A personal value (a name, an email, a phone, an IP, a note) as it may sit in an event or a
 * snapshot: AES-GCM ciphertext under its data subject's key. Without the key it is noise.
 *
 * @param subjectId whose key encrypts it (a shopper, a user)
 * @param ciphertext base64 of the 12-byte IV followed by the ciphertext and its 16-byte tag
 */
public record EncryptedPersonalData(String subjectId, String ciphertext) implements CborSerializable {}
