package dev.pocmerge.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Golden strings of LLM-Adapters finetune.py's generate_prompt, typed from its source (commit 8166572): the
 * with-input header ends in ONE space, the no-input header in TWO, and every later line starts with the 16 spaces
 * of the f-string's indentation, blank lines included. (Checked once against the Python function itself.)
 */
class TrainPromptTest {
    static final String SIXTEEN = "                ";

    @Test
    void noInputBranch() {
        Instruction r = new Instruction("Is the sky blue?\n\nAnswer format: true/false", "",
                "the correct answer is true");
        String user = "Below is an instruction that describes a task. Write a response that appropriately completes the"
                + " request.  \n"
                + "\n"
                + "                ### Instruction:\n"
                + "                Is the sky blue?\n"
                + "\n"
                + "Answer format: true/false\n"
                + "                \n"
                + "                ### Response:\n"
                + "                ";
        assertEquals(user, TrainPrompt.user(r));
        assertEquals(user + "the correct answer is true", TrainPrompt.full(r));
    }

    @Test
    void withInputBranch() {
        Instruction r = new Instruction("Add the numbers.", "2 and 3", "5");
        String user = "Below is an instruction that describes a task, paired with an input that provides further"
                + " context. Write a response that appropriately completes the request. \n"
                + "\n"
                + "                ### Instruction:\n"
                + "                Add the numbers.\n"
                + "                \n"
                + "                ### Input:\n"
                + "                2 and 3\n"
                + "                \n"
                + "                ### Response:\n"
                + "                ";
        assertEquals(user, TrainPrompt.user(r));
        assertEquals(user + "5", TrainPrompt.full(r));
    }

    @Test
    void lengthsAndIndentsCountedByHand() {
        String noInput = TrainPrompt.user(new Instruction("", "", ""));
        // header 105 chars + 2 spaces, "\n\n", "### Instruction:\n", the empty instruction's line, the blank
        // line, "### Response:\n", each after 16 spaces, and the 16 spaces the response follows (222 in Python)
        assertEquals(105 + 2 + 2 + (16 + 17) + (16 + 1) + (16 + 1) + (16 + 14) + 16, noInput.length());
        assertTrue(noInput.contains("request.  \n\n" + SIXTEEN + "### Instruction:\n"));
        String withInput = TrainPrompt.user(new Instruction("i", "x", ""));
        assertTrue(withInput.contains("request. \n\n" + SIXTEEN + "### Instruction:\n" + SIXTEEN + "i\n" + SIXTEEN
                + "\n" + SIXTEEN + "### Input:\n" + SIXTEEN + "x\n"));
        assertTrue(withInput.endsWith("### Response:\n" + SIXTEEN));
    }

    @Test
    void fullStartsWithUserAndOnlyEmptyInputPicksTheShortHeader() {
        for (Instruction r : new Instruction[] {new Instruction("q", "", "a"), new Instruction("q", " ", "a"),
            new Instruction("q", "ctx", "")}) {
            assertEquals(TrainPrompt.user(r) + r.output(), TrainPrompt.full(r));
        }
        // Python's `if data_point["input"]` is true for " ": the input branch, as in finetune.py
        assertTrue(TrainPrompt.user(new Instruction("q", " ", "a")).contains("### Input:"));
    }
}
