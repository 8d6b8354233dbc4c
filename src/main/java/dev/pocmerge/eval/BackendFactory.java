package dev.pocmerge.eval;

import java.util.List;

/**
 * Turns variants into backends. A group's slots are consecutive variants, scored in one forward when the
 * factory can stack them (M singles with one rank and alpha); the caller closes each group when done with it.
 */
public interface BackendFactory {
    /** A backend for {@code variants}, one slot each, in order. */
    interface Group extends AutoCloseable {
        List<Variant> variants();

        EvalBackend backend();

        @Override
        void close();
    }

    /** Groups covering {@code variants} in order. */
    List<Group> groups(List<Variant> variants);
}
