package dev.pocmerge.eval;

import dev.pocmerge.core.PythonText;
import java.util.regex.Matcher;

/**
 * From decoded model text to a label, as commonsense_evaluate.py does it: split the decoded sequence (prompt
 * included) on "### Response:", strip, and take the first match of the set's label pattern; no match is "" and
 * counts as wrong. LLM-Adapters keeps the piece after the first marker ({@code split(...)[1]}: up to a second
 * marker, if the model writes one), DoRA the piece after the last ({@code [-1]}).
 */
public final class AnswerExtraction {
    /** Which piece of the split the response is. */
    public enum Split {
        /** LLM-Adapters: {@code o.split("### Response:")[1]}. */
        FIRST,
        /** DoRA: {@code o.split("### Response:")[-1]}. */
        LAST;

        public static Split parse(String s) {
            return switch (s.toLowerCase(java.util.Locale.ROOT)) {
                case "first", "llm-adapters" -> FIRST;
                case "last", "dora" -> LAST;
                default -> throw new dev.pocmerge.core.PocmergeException("--response-split '" + s
                        + "': use llm-adapters (text after the first '### Response:') or dora (after the last)");
            };
        }
    }

    private AnswerExtraction() {}

    /**
     * The response part of a decoded sequence, stripped. Text without the marker (an output saved by another
     * system, already cut) is taken whole; their script would fail on it with an IndexError.
     */
    public static String response(String decoded, Split split) {
        String m = EvalPrompt.RESPONSE_MARKER;
        int first = decoded.indexOf(m);
        if (first < 0) {
            return PythonText.strip(decoded);
        }
        if (split == Split.LAST) {
            return PythonText.strip(decoded.substring(decoded.lastIndexOf(m) + m.length()));
        }
        int from = first + m.length();
        int next = decoded.indexOf(m, from);
        return PythonText.strip(next < 0 ? decoded.substring(from) : decoded.substring(from, next));
    }

    /** {@code extract_answer}: the first label match in the stripped response, or "" when there is none. */
    public static String extract(CommonsenseTask task, String response) {
        Matcher m = task.pattern().matcher(PythonText.strip(response));
        return m.find() ? m.group() : "";
    }
}
