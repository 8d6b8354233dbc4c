package dev.pocmerge.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pocmerge.llama.LlamaTokenizer;
import dev.pocmerge.lora.ChoiceScorer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** lm-eval's _encode_pair on the real Llama-2 tokenizer, for the evaluation prompt and a fine-tuned answer. */
class EncodePairTest {
    static final Path LLAMA2 = Path.of("../shared/tokenizers/llama2");

    @Test
    void contextLosesItsTrailingWhitespaceToTheContinuation() {
        assumeTrue(Files.isRegularFile(LLAMA2.resolve("tokenizer.json")), "no ../shared/tokenizers/llama2");
        try (LlamaTokenizer tok = LlamaTokenizer.load(LLAMA2)) {
            String prompt = EvalPrompt.of("Please answer the following question with true or false, question: is the"
                    + " sky blue?\n\nAnswer format: true/false", "");
            ChoiceScorer.Encoded e = ChoiceScorer.encode(tok::encode,
                    new ChoiceScorer.Item(prompt, List.of("the correct answer is true", "the correct answer is false")));
            String stripped = prompt.substring(0, prompt.length() - 17); // "\n" and 16 spaces move
            assertArrayEquals(tok.encode(stripped), e.context());
            System.out.println("context tail " + Arrays.toString(Arrays.copyOfRange(e.context(), e.context().length - 4,
                    e.context().length)) + ", continuation " + Arrays.toString(e.continuations()[0]) + " / "
                    + Arrays.toString(e.continuations()[1]));
            assertEquals(1L, e.context()[0], "BOS first (tokenizer_config add_bos_token)");
            long[] whole = tok.encode(prompt + "the correct answer is false");
            assertArrayEquals(Arrays.copyOfRange(whole, e.context().length, whole.length), e.continuations()[1]);
            assertArrayEquals(Arrays.copyOf(whole, e.context().length), e.context(),
                    "here the whole encoding starts with the context's, so reusing its KV cache is exact");
            assertEquals(prompt.substring(stripped.length()) + "the correct answer is false",
                    tok.decode(e.continuations()[1]));
        }
    }
}
