package dev.miroir.local;

/** Failure to obtain, start, stop or talk to a local Meilisearch process. */
public class MeilisearchLocalException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MeilisearchLocalException(String message) {
        super(message);
    }

    public MeilisearchLocalException(String message, Throwable cause) {
        super(message, cause);
    }
}
