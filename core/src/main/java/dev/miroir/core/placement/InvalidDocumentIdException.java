package dev.miroir.core.placement;

/** A primary-key value that cannot identify a document (neither a string nor an integer). */
public final class InvalidDocumentIdException extends IllegalArgumentException {
  public InvalidDocumentIdException(String message) {
    super(message);
  }
}
