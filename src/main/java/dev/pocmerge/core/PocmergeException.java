package dev.pocmerge.core;

/**
 * An error the user can cause and fix (bad file, bad option, diverged run). The CLI prints its message as one
 * line and exits with code 2; messages name the file and field and, where possible, the fix.
 */
public class PocmergeException extends RuntimeException {
    public PocmergeException(String message) {
        super(message);
    }

    public PocmergeException(String message, Throwable cause) {
        super(message, cause);
    }
}
