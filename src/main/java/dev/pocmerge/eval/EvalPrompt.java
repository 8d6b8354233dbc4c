package dev.pocmerge.eval;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The evaluation prompt of LLM-Adapters / DoRA {@code commonsense_evaluate.py} ({@code generate_prompt}), byte for
 * byte. It is not the training prompt ({@code data.TrainPrompt}): the no-input header ends in one space (training:
 * two), the with-input header in none (training: one), and the blank lines are empty (training: 16 spaces). Their
 * script calls it without the input, so the real sets (whose inputs are all "") always get the first form; a
 * row with an input gets the second, as {@code generate_prompt(instruction, input)} would build it.
 */
public final class EvalPrompt {
    private static final String INDENT = " ".repeat(16);
    private static final String NO_INPUT_HEADER = "Below is an instruction that describes a task. Write a response"
            + " that appropriately completes the request. ";
    private static final String WITH_INPUT_HEADER = "Below is an instruction that describes a task, paired with an"
            + " input that provides further context. Write a response that appropriately completes the request.";

    /** Where the response starts; the decoded text is split on it. */
    public static final String RESPONSE_MARKER = "### Response:";

    private EvalPrompt() {}

    public static String of(String instruction, String input) {
        if (input != null && !input.isEmpty()) { // Python's `if input:` is false for "" and None only
            return WITH_INPUT_HEADER + "\n\n"
                    + INDENT + "### Instruction:\n"
                    + INDENT + instruction + "\n\n"
                    + INDENT + "### Input:\n"
                    + INDENT + input + "\n\n"
                    + INDENT + RESPONSE_MARKER + "\n"
                    + INDENT;
        }
        return NO_INPUT_HEADER + "\n\n"
                + INDENT + "### Instruction:\n"
                + INDENT + instruction + "\n\n"
                + INDENT + RESPONSE_MARKER + "\n"
                + INDENT;
    }

    public static String of(EvalItem item) {
        return of(item.instruction(), item.input());
    }

    /** Lower-case hex SHA-256 of the prompt's UTF-8 bytes ({@code prompt_hash} in predictions files). */
    public static String hash(String prompt) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(d.digest(prompt.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
