package dev.pocmerge.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.pocmerge.data.Instruction;
import dev.pocmerge.data.TrainPrompt;
import org.junit.jupiter.api.Test;

/** The evaluation template of commonsense_evaluate.py, byte for byte (golden strings typed from their file). */
class EvalPromptTest {
    @Test
    void noInputPromptIsTheirsByteForByte() {
        String golden = "Below is an instruction that describes a task. Write a response that appropriately completes"
                + " the request. \n\n                ### Instruction:\n                Which is red?\n\n"
                + "                ### Response:\n                ";
        assertEquals(golden, EvalPrompt.of("Which is red?", ""));
        assertEquals(golden, EvalPrompt.of("Which is red?", null));
    }

    @Test
    void withInputPromptIsTheirsByteForByte() {
        String golden = "Below is an instruction that describes a task, paired with an input that provides further"
                + " context. Write a response that appropriately completes the request.\n\n"
                + "                ### Instruction:\n                Translate.\n\n"
                + "                ### Input:\n                Hallo\n\n"
                + "                ### Response:\n                ";
        assertEquals(golden, EvalPrompt.of("Translate.", "Hallo"));
    }

    @Test
    void differsFromTheTrainingPrompt() {
        assertNotEquals(TrainPrompt.user(new Instruction("Which is red?", "", "x")), EvalPrompt.of("Which is red?", ""));
    }

    @Test
    void hashIsSha256HexOfUtf8() {
        // sha256("abc"), FIPS 180-2 example
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", EvalPrompt.hash("abc"));
    }
}
