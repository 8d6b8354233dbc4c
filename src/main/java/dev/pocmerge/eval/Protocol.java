package dev.pocmerge.eval;

import dev.pocmerge.core.PocmergeException;

/** How an item is scored: decoding and answer extraction (the paper's protocol), or choice log-likelihoods. */
public enum Protocol {
    GENERATION("generation"),
    LOGLIK("loglik");

    private final String name;

    Protocol(String name) {
        this.name = name;
    }

    public String key() {
        return name;
    }

    public static Protocol parse(String s) {
        for (Protocol p : values()) {
            if (p.name.equalsIgnoreCase(s)) {
                return p;
            }
        }
        throw new PocmergeException("--protocol '" + s + "': use generation (beam search and answer extraction, as"
                + " the paper) or loglik (choice log-likelihoods, as lm-evaluation-harness)");
    }
}
