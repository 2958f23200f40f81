package io.videoshop.persistence.privacy;

/**
 * What decrypting gives back: the value, or, once the subject has been erased, a clear
 * "erased" value instead of an exception, so that reads of old events keep working.
 */
public record DecryptedPersonalData(String value, boolean erased) {
  public static final String ERASED_TEXT = "[erased]";
  public static final DecryptedPersonalData ERASED = new DecryptedPersonalData(ERASED_TEXT, true);

  public static DecryptedPersonalData of(String value) {
    return new DecryptedPersonalData(value, false);
  }
}
