package io.videoshop.persistence.privacy;

/** New personal data cannot be stored for a subject whose data has been erased. */
public final class SubjectErasedException extends RuntimeException {
  public SubjectErasedException(String subjectId) {
    super("personal data of subject " + subjectId + " has been erased");
  }
}
