package dev.pocmerge.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pocmerge.llama.ByteLevelBpe;
import dev.pocmerge.llama.LlamaTokenizer;
import dev.pocmerge.llama.TinyLlama;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated demo task: reproducible bytes, balanced answers, one right option, fits the cutoff. */
class MiniCommonsenseTest {
    static final Path COMMITTED = Path.of("datasets/mini-commonsense");
    static final int CUTOFF = 256; // the default --cutoff-len
    static final Pattern ROW = Pattern.compile("Which is an? (\\w+)\\?\\n1: (\\w+) 2: (\\w+) 3: (\\w+)");

    /** Typed separately from the generator's table, so a word filed under the wrong category shows. */
    static final Map<String, String> CATEGORY_OF = words();

    @TempDir
    Path tmp;

    @Test
    void sameSeedSameBytes() throws IOException {
        MiniCommonsense.write(tmp.resolve("a"), 300, 50, 5);
        MiniCommonsense.write(tmp.resolve("b"), 300, 50, 5);
        MiniCommonsense.write(tmp.resolve("c"), 300, 50, 6);
        for (String f : List.of("train.json", "test.json")) {
            byte[] a = Files.readAllBytes(tmp.resolve("a").resolve(f));
            assertArrayEquals(a, Files.readAllBytes(tmp.resolve("b").resolve(f)), f);
            assertFalse(java.util.Arrays.equals(a, Files.readAllBytes(tmp.resolve("c").resolve(f))), f);
        }
    }

    @Test
    void answersAndCategoriesAreBalancedAndExactlyOneOptionIsRight() {
        MiniCommonsense.Sets s = MiniCommonsense.generate(2000, 200, 0);
        check(s.train(), 2000);
        check(s.test(), 200);
        Set<String> train = s.train().stream().map(MiniCommonsense.Row::instruction).collect(Collectors.toSet());
        Set<String> test = new HashSet<>();
        for (MiniCommonsense.Row r : s.test()) {
            assertFalse(train.contains(r.instruction()), "test row seen in training: " + r.instruction());
            assertTrue(test.add(r.instruction()), "test row repeated: " + r.instruction());
        }
    }

    private static void check(List<MiniCommonsense.Row> rows, int n) {
        assertEquals(n, rows.size());
        Map<String, Integer> answers = new TreeMap<>();
        Map<String, Integer> asked = new TreeMap<>();
        for (MiniCommonsense.Row r : rows) {
            Matcher m = ROW.matcher(r.instruction());
            assertTrue(m.matches(), r.instruction());
            String category = m.group(1);
            int right = -1;
            for (int p = 0; p < 3; p++) {
                String word = m.group(p + 2);
                assertTrue(CATEGORY_OF.containsKey(word), word);
                if (CATEGORY_OF.get(word).equals(category)) {
                    assertEquals(-1, right, "two right options: " + r.instruction());
                    right = p;
                }
            }
            assertEquals("answer" + (right + 1), r.answer(), r.instruction());
            assertEquals("the correct answer is " + r.answer(), r.output());
            assertEquals("", r.input());
            answers.merge(r.answer(), 1, Integer::sum);
            asked.merge(category, 1, Integer::sum);
        }
        assertEquals(Set.of("answer1", "answer2", "answer3"), answers.keySet());
        assertEquals(6, asked.size());
        for (Map<String, Integer> counts : List.of(answers, asked)) {
            int min = counts.values().stream().min(Integer::compare).orElseThrow();
            int max = counts.values().stream().max(Integer::compare).orElseThrow();
            assertTrue(max - min <= 1, "balanced: " + counts);
        }
    }

    @Test
    void writtenRowsParseWithInstructionData() {
        MiniCommonsense.Sets s = MiniCommonsense.write(tmp, 120, 30, 9);
        assertEquals(s.train().stream().map(MiniCommonsense.Row::asInstruction).toList(),
                InstructionData.load(tmp.resolve("train.json")));
        assertEquals(s.test().stream().map(MiniCommonsense.Row::asInstruction).toList(),
                InstructionData.load(tmp.resolve("test.json")));
    }

    @Test
    void everyPromptFitsTheCutoffWithItsEos() {
        Path tok = tmp.resolve("tokenizer");
        TinyLlama.write(tok, TinyLlama.Options.defaults());
        MiniCommonsense.Sets s = MiniCommonsense.generate(2000, 200, 0);
        try (LlamaTokenizer t = LlamaTokenizer.load(tok)) {
            List<Instruction> rows = s.train().stream().map(MiniCommonsense.Row::asInstruction).toList();
            TrainTokenization.Result r = TrainTokenization.tokenizeAll(rows, t::encode, ByteLevelBpe.EOS, CUTOFF, true);
            assertEquals(0, r.truncated());
            assertEquals(0, r.withoutEos());
            int max = r.examples().stream().mapToInt(e -> e.length()).max().orElseThrow();
            int template = t.encode(TrainPrompt.full(new Instruction("", "", ""))).length;
            // the byte-level BPE merges only inside pre-tokens (a word with its leading space), so an instruction
            // built from each slot's longest word is the longest any seed can draw
            int worst = 0;
            for (String category : List.of("color", "animal", "fruit", "tool", "drink", "metal")) {
                String article = category.equals("animal") ? "an" : "a";
                List<String> others = CATEGORY_OF.values().stream().distinct().filter(c -> !c.equals(category))
                        .sorted((x, y) -> longest(t, y) - longest(t, x)).toList();
                String instr = "Which is " + article + " " + category + "?\n1: " + longestWord(t, category) + " 2: "
                        + longestWord(t, others.get(0)) + " 3: " + longestWord(t, others.get(1));
                worst = Math.max(worst, t.encode(TrainPrompt.full(new Instruction(instr, "", "the correct answer is"
                        + " answer1"))).length + 1);
            }
            System.out.printf("mini-commonsense with ByteLevelBpe: template %d tokens (BOS, no instruction/output),"
                    + " longest row %d tokens with EOS, longest possible %d, cutoff %d%n", template, max, worst,
                    CUTOFF);
            assertTrue(max <= worst, max + " > " + worst);
            assertTrue(worst <= CUTOFF, "worst case " + worst);
        }
    }

    @Test
    void committedCopyIsTheDefaultGeneration() throws IOException {
        MiniCommonsense.Sets s = MiniCommonsense.generate(2000, 200, 0);
        long bytes = 0;
        for (String f : List.of("train.json", "test.json")) {
            Path p = COMMITTED.resolve(f);
            assertTrue(Files.isRegularFile(p), p + " (regenerate: see datasets/mini-commonsense/README.md)");
            String expected = MiniCommonsense.dumps(f.equals("train.json") ? s.train() : s.test());
            assertEquals(expected, Files.readString(p, StandardCharsets.UTF_8), p + " differs from seed 0's output");
            bytes += Files.size(p);
        }
        assertTrue(bytes < 1_000_000, bytes + " bytes");
    }

    private static int longest(LlamaTokenizer t, String category) {
        return t.encode(" " + longestWord(t, category)).length;
    }

    private static String longestWord(LlamaTokenizer t, String category) {
        return CATEGORY_OF.entrySet().stream().filter(e -> e.getValue().equals(category)).map(Map.Entry::getKey)
                .max((x, y) -> t.encode(" " + x).length - t.encode(" " + y).length).orElseThrow();
    }

    private static Map<String, String> words() {
        Map<String, String> m = new TreeMap<>();
        for (String w : "red blue green pink gray brown".split(" ")) {
            m.put(w, "color");
        }
        for (String w : "cat dog cow pig fox horse".split(" ")) {
            m.put(w, "animal");
        }
        for (String w : "apple pear plum lime fig grape".split(" ")) {
            m.put(w, "fruit");
        }
        for (String w : "saw axe drill rake hoe spade".split(" ")) {
            m.put(w, "tool");
        }
        for (String w : "tea milk juice water soda wine".split(" ")) {
            m.put(w, "drink");
        }
        for (String w : "iron tin zinc lead steel brass".split(" ")) {
            m.put(w, "metal");
        }
        return m;
    }
}
