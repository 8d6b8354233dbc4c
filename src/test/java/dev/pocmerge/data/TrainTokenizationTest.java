package dev.pocmerge.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.llama.LlamaTokenizer;
import dev.pocmerge.lora.TrainExample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * finetune.py's tokenize()/generate_and_tokenize_prompt(): first with a one-id-per-char encoder whose ids can be
 * written down, then with the real Llama-2 tokenizer on real rows (skipped when ../shared is absent).
 */
class TrainTokenizationTest {
    static final Path LLAMA2 = Path.of("../shared/tokenizers/llama2");
    static final Path COMMONSENSE = Path.of("../shared/datasets/commonsense");
    static final long BOS = 1;
    static final long EOS = 2;

    /** BOS, then each char's code: an encoder whose output length is 1 + the text's length. */
    static final Function<String, long[]> CHARS = s -> {
        long[] ids = new long[s.length() + 1];
        ids[0] = BOS;
        for (int i = 0; i < s.length(); i++) {
            ids[i + 1] = s.charAt(i);
        }
        return ids;
    };

    static final Instruction ROW = new Instruction("q", "", "yes");

    @Test
    void eosIsAppendedOnlyBelowTheCutoff() {
        int n = TrainPrompt.full(ROW).length() + 1; // BOS + chars
        long[] all = CHARS.apply(TrainPrompt.full(ROW));
        TrainExample below = TrainTokenization.tokenize(ROW, CHARS, EOS, n + 1, true);
        long[] withEos = Arrays.copyOf(all, n + 1);
        withEos[n] = EOS;
        assertArrayEquals(withEos, below.ids());
        assertArrayEquals(withEos, below.labels(), "labels = ids when training on inputs");
        // len == cutoff: `len(input_ids) < cutoff_len` is false, no EOS
        assertArrayEquals(all, TrainTokenization.tokenize(ROW, CHARS, EOS, n, true).ids());
        // truncated: the first cutoff ids, BOS counted, no EOS
        assertArrayEquals(Arrays.copyOf(all, n - 5), TrainTokenization.tokenize(ROW, CHARS, EOS, n - 5, true).ids());
        assertArrayEquals(new long[] {BOS, 'B'}, TrainTokenization.tokenize(ROW, CHARS, EOS, 2, true).ids());
    }

    @Test
    void anEncoderThatEndsInEosGetsNoSecond() {
        Function<String, long[]> withEos = s -> {
            long[] ids = CHARS.apply(s);
            long[] out = Arrays.copyOf(ids, ids.length + 1);
            out[ids.length] = EOS;
            return out;
        };
        long[] ids = TrainTokenization.tokenize(ROW, withEos, EOS, 1000, true).ids();
        assertEquals(TrainPrompt.full(ROW).length() + 2, ids.length);
        assertEquals(EOS, ids[ids.length - 1]);
        assertEquals('s', ids[ids.length - 2]);
    }

    @Test
    void maskingCoversTheUserPrompt() {
        int user = TrainPrompt.user(ROW).length() + 1;
        TrainExample ex = TrainTokenization.tokenize(ROW, CHARS, EOS, 1000, false);
        long[] labels = ex.labels();
        long[] ids = ex.ids();
        for (int i = 0; i < user; i++) {
            assertEquals(TrainExample.IGNORE, labels[i], "position " + i);
        }
        assertArrayEquals(new long[] {'y', 'e', 's', EOS}, Arrays.copyOfRange(labels, user, labels.length));
        assertArrayEquals(Arrays.copyOfRange(ids, user, ids.length), Arrays.copyOfRange(labels, user, labels.length));
        assertEquals(4, ex.targetCount());
        // the user prompt is truncated to the same cutoff: a cutoff inside it masks everything
        TrainExample cut = TrainTokenization.tokenize(ROW, CHARS, EOS, user - 3, false);
        assertEquals(user - 3, cut.length());
        assertEquals(0, cut.targetCount());
        assertTrue(Arrays.stream(cut.labels()).allMatch(l -> l == TrainExample.IGNORE));
        // cutoff 2 tokens into the response: two targets, no EOS
        TrainExample two = TrainTokenization.tokenize(ROW, CHARS, EOS, user + 2, false);
        assertArrayEquals(new long[] {'y', 'e'}, Arrays.copyOfRange(two.labels(), user, user + 2));
    }

    @Test
    void listVersionCountsTruncationAndRefusesAnEmptySet() {
        Instruction longRow = new Instruction("x".repeat(300), "", "no");
        List<Instruction> rows = List.of(ROW, longRow, ROW);
        TrainTokenization.Result r = TrainTokenization.tokenizeAll(rows, CHARS, EOS, 256, false);
        assertEquals(3, r.examples().size());
        assertEquals(1, r.truncated());
        assertEquals(1, r.withoutEos());
        assertEquals(1, r.withoutTargets(), "the long row's response is cut off and its prompt masked");
        assertEquals(TrainTokenization.tokenize(longRow, CHARS, EOS, 256, false), r.examples().get(1));
        assertEquals(0, TrainTokenization.tokenizeAll(rows, CHARS, EOS, 256, true).withoutTargets());
        PocmergeException e = assertThrows(PocmergeException.class,
                () -> TrainTokenization.tokenizeAll(List.of(longRow), CHARS, EOS, 256, false));
        assertTrue(e.getMessage().startsWith("empty data set after --cutoff-len 256"), e.getMessage());
        assertThrows(PocmergeException.class, () -> TrainTokenization.tokenize(ROW, CHARS, EOS, 1, true));
    }

    @Test
    void realLlama2RowGoldenIdsAndMask() {
        assumeTrue(Files.isRegularFile(LLAMA2.resolve("tokenizer.json")), "no ../shared/tokenizers/llama2");
        assumeTrue(Files.isDirectory(COMMONSENSE), "no ../shared/datasets/commonsense");
        Instruction row = InstructionData.load(COMMONSENSE.resolve("boolq/test.json")).get(0);
        try (LlamaTokenizer t = LlamaTokenizer.load(LLAMA2)) {
            TrainExample ex = TrainTokenization.tokenize(row, t::encode, EOS, 256, false);
            long[] ids = ex.ids();
            // 76 ids from the tokenizer, then EOS
            assertEquals(77, ids.length);
            assertEquals(BOS, ids[0]);
            // ":" "\n", 15 spaces, "▁the" "▁correct" "▁answer" "▁is" "▁false" </s> (Llama-2 vocabulary ids)
            assertArrayEquals(new long[] {29901, 13, 18884, 278, 1959, 1234, 338, 2089, EOS},
                    Arrays.copyOfRange(ids, 68, 77));
            // the user prompt ends in ONE token of 16 spaces (462), so it is 71 ids long although ids[70] is the
            // 15-space token: masking 71 positions leaves exactly the response and EOS, as in LLM-Adapters
            assertEquals(71, t.encode(TrainPrompt.user(row)).length);
            long[] labels = ex.labels();
            for (int i = 0; i < 71; i++) {
                assertEquals(TrainExample.IGNORE, labels[i]);
            }
            assertArrayEquals(Arrays.copyOfRange(ids, 71, 77), Arrays.copyOfRange(labels, 71, 77));
            assertEquals("the correct answer is false", t.decode(Arrays.copyOfRange(ids, 71, 77)));
            assertEquals(TrainPrompt.full(row), t.decode(ids));
            // the boundary on the real row: 76 fits without EOS, 77 with, 75 truncates
            assertEquals(76, TrainTokenization.tokenize(row, t::encode, EOS, 76, true).length());
            assertEquals(2089, last(TrainTokenization.tokenize(row, t::encode, EOS, 76, true).ids()));
            assertEquals(EOS, last(TrainTokenization.tokenize(row, t::encode, EOS, 77, true).ids()));
            assertEquals(338, last(TrainTokenization.tokenize(row, t::encode, EOS, 75, true).ids()));
            assertEquals(2, TrainTokenization.tokenize(row, t::encode, EOS, 73, false).targetCount());
        }
    }

    @Test
    void realPiqaAtCutoff256() {
        assumeTrue(Files.isRegularFile(LLAMA2.resolve("tokenizer.json")), "no ../shared/tokenizers/llama2");
        assumeTrue(Files.isDirectory(COMMONSENSE), "no ../shared/datasets/commonsense");
        List<Instruction> rows = InstructionData.load(COMMONSENSE.resolve("piqa/test.json"));
        try (LlamaTokenizer t = LlamaTokenizer.load(LLAMA2)) {
            TrainTokenization.Result r = TrainTokenization.tokenizeAll(rows, t::encode, EOS, 256, true);
            int longer = 0;
            int atLeast = 0;
            for (int i = 0; i < rows.size(); i++) {
                String full = TrainPrompt.full(rows.get(i));
                int n = t.encode(full).length;
                longer += n > 256 ? 1 : 0;
                atLeast += n >= 256 ? 1 : 0;
                long[] ids = r.examples().get(i).ids();
                assertEquals(Math.min(n + 1, 256), ids.length, "row " + i);
                String text = t.decode(ids);
                if (n < 256) {
                    assertEquals(EOS, last(ids));
                    assertEquals(full, text, "row " + i);
                } else {
                    assertTrue(full.startsWith(text), "row " + i + " decodes to a prefix");
                }
            }
            assertEquals(88, longer, "piqa rows over 256 Llama-2 tokens (measured)");
            assertEquals(longer, r.truncated());
            assertEquals(atLeast, r.withoutEos());
        }
    }

    private static long last(long[] a) {
        return a[a.length - 1];
    }
}
