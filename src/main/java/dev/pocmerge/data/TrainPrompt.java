package dev.pocmerge.data;

/**
 * The training prompt of LLM-Adapters {@code finetune.py} ({@code generate_prompt}), byte for byte: its f-strings
 * keep the source's 16-space indentation, the with-input header ends in one space and the no-input header in
 * two. Models fine-tuned there saw exactly this text, and the evaluation prompts (commonsense_evaluate.py) are
 * built the same way, so any drift here changes what a trained adapter is asked.
 */
public final class TrainPrompt {
    private static final String INDENT = " ".repeat(16);
    private static final String WITH_INPUT_HEADER = "Below is an instruction that describes a task, paired with an"
            + " input that provides further context. Write a response that appropriately completes the request. ";
    private static final String NO_INPUT_HEADER = "Below is an instruction that describes a task. Write a response"
            + " that appropriately completes the request.  ";

    private TrainPrompt() {}

    /** The whole training text: prompt and response ({@code generate_prompt(data_point)}). */
    public static String full(Instruction row) {
        return user(row) + row.output();
    }

    /**
     * The prompt without the response ({@code generate_prompt({**data_point, "output": ""})}, finetune.py's
     * {@code user_prompt} for {@code train_on_inputs=False}); {@code full(row)} always starts with it.
     */
    public static String user(Instruction row) {
        // Python's `if data_point["input"]:` is false for "" only (the loader maps missing/null input to "")
        if (!row.input().isEmpty()) {
            return WITH_INPUT_HEADER + "\n\n"
                    + INDENT + "### Instruction:\n"
                    + INDENT + row.instruction() + "\n"
                    + INDENT + "\n"
                    + INDENT + "### Input:\n"
                    + INDENT + row.input() + "\n"
                    + INDENT + "\n"
                    + INDENT + "### Response:\n"
                    + INDENT;
        }
        return NO_INPUT_HEADER + "\n\n"
                + INDENT + "### Instruction:\n"
                + INDENT + row.instruction() + "\n"
                + INDENT + "\n"
                + INDENT + "### Response:\n"
                + INDENT;
    }
}
