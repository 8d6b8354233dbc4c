package dev.pocmerge.cli;

import dev.pocmerge.core.PocmergeException;

/** One-line checks of integer options that name the one flag that is wrong and the value it got. */
final class OptionChecks {
    private OptionChecks() {}

    /** Each pair is (flag, value); the first value below {@code min} is refused. */
    static void atLeast(long min, Object... flagValue) {
        for (int i = 0; i < flagValue.length; i += 2) {
            long v = ((Number) flagValue[i + 1]).longValue();
            if (v < min) {
                throw new PocmergeException(flagValue[i] + " " + v + ": must be ≥ " + min);
            }
        }
    }
}
