package dev.pocmerge.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.pocmerge.core.AtomicFiles;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.core.Seeds;
import dev.pocmerge.core.Shuffle;
import dev.pocmerge.io.PythonJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A generated three-choice task in the commonsense answer format, small enough for a tiny Llama on CPU: "Which
 * is a fruit?" over one word of the asked category and two words of two other categories, answered "the correct
 * answer is answerK" as commonsense_170k's rows are. LLM-Adapters' prompt template alone is 195 of our byte-level
 * tokens and the answer 16 more, so the instruction is kept under 44 (digit labels, three choices, words of at
 * most six letters) and every row fits --cutoff-len 256 with its EOS. Gold positions and asked categories are balanced
 * (counts differ by at most one); test rows never repeat a training instruction or each other.
 */
public final class MiniCommonsense {
    public static final int CHOICES = 3;

    /** A category, the words that belong to it (no word belongs to two) and how the question names it. */
    record Category(String name, String article, List<String> words) {}

    static final List<Category> CATEGORIES = List.of(
            new Category("color", "a", List.of("red", "blue", "green", "pink", "gray", "brown")),
            new Category("animal", "an", List.of("cat", "dog", "cow", "pig", "fox", "horse")),
            new Category("fruit", "a", List.of("apple", "pear", "plum", "lime", "fig", "grape")),
            new Category("tool", "a", List.of("saw", "axe", "drill", "rake", "hoe", "spade")),
            new Category("drink", "a", List.of("tea", "milk", "juice", "water", "soda", "wine")),
            new Category("metal", "a", List.of("iron", "tin", "zinc", "lead", "steel", "brass")));

    private static final long TRAIN_STREAM = 0x7A1E0001L;
    private static final long TEST_STREAM = 0x7A1E0002L;

    /** One row in the evaluation files' format; {@code answer} is the gold label, e.g. "answer2". */
    public record Row(String instruction, String input, String output, String answer) {
        public Instruction asInstruction() {
            return new Instruction(instruction, input, output);
        }

        JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("instruction", instruction);
            o.addProperty("input", input);
            o.addProperty("output", output);
            o.addProperty("answer", answer);
            return o;
        }
    }

    public record Sets(List<Row> train, List<Row> test) {}

    private MiniCommonsense() {}

    public static Sets generate(int trainRows, int testRows, long seed) {
        if (trainRows < 1 || testRows < 1) {
            throw new PocmergeException("--train " + trainRows + " and --test " + testRows + " must be at least 1");
        }
        if (testRows > 20_000) { // far below the ~77,000 distinct questions, so drawing unseen ones stays quick
            throw new PocmergeException("--test " + testRows + ": at most 20000 rows");
        }
        List<Row> train = rows(trainRows, new Random(Seeds.derive(seed, TRAIN_STREAM)), null);
        Set<String> seen = new HashSet<>();
        train.forEach(r -> seen.add(r.instruction()));
        List<Row> test = rows(testRows, new Random(Seeds.derive(seed, TEST_STREAM)), seen);
        return new Sets(train, test);
    }

    /** Writes {@code dir/train.json} and {@code dir/test.json} in the format of the LLM-Adapters dataset files. */
    public static Sets write(Path dir, int trainRows, int testRows, long seed) {
        Sets s = generate(trainRows, testRows, seed);
        AtomicFiles.writeString(dir.resolve("train.json"), dumps(s.train()));
        AtomicFiles.writeString(dir.resolve("test.json"), dumps(s.test()));
        return s;
    }

    /** json.dumps(rows, indent=4): 4-space indent and no final newline, as the real test.json files are. */
    public static String dumps(List<Row> rows) {
        JsonArray a = new JsonArray();
        rows.forEach(r -> a.add(r.toJson()));
        return PythonJson.dumps(a, 4);
    }

    /** The gold label of position {@code p} (0-based), in the test sets' spelling. */
    public static String label(int p) {
        return "answer" + (p + 1);
    }

    /** Rows drawn from {@code rng}; with {@code seen} non-null, words are redrawn until the instruction is new. */
    private static List<Row> rows(int n, Random rng, Set<String> seen) {
        int[] gold = balanced(n, CHOICES, rng);
        int[] asked = balanced(n, CATEGORIES.size(), rng);
        List<Row> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String instruction;
            do {
                instruction = instruction(asked[i], gold[i], rng);
            } while (seen != null && !seen.add(instruction));
            String answer = label(gold[i]);
            out.add(new Row(instruction, "", "the correct answer is " + answer, answer));
        }
        return out;
    }

    /** 0..k−1 repeated to length n in random order: each value n/k times, give or take one. */
    private static int[] balanced(int n, int k, Random rng) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i % k;
        }
        Shuffle.shuffle(a, rng);
        return a;
    }

    private static String instruction(int askedCategory, int goldPosition, Random rng) {
        Category c = CATEGORIES.get(askedCategory);
        int[] others = new int[CATEGORIES.size() - 1];
        Shuffle.sample(others, CHOICES - 1, rng); // distinct other categories: exactly one option is right
        StringBuilder sb = new StringBuilder("Which is ").append(c.article()).append(' ').append(c.name())
                .append("?\n");
        int distractor = 0;
        for (int p = 0; p < CHOICES; p++) {
            Category from = p == goldPosition ? c : other(askedCategory, others[distractor++]);
            sb.append(p == 0 ? "" : " ").append(p + 1).append(": ").append(pick(from.words(), rng));
        }
        return sb.toString();
    }

    /** The j-th category other than {@code asked}. */
    private static Category other(int asked, int j) {
        return CATEGORIES.get(j < asked ? j : j + 1);
    }

    private static String pick(List<String> words, Random rng) {
        return words.get(rng.nextInt(words.size()));
    }
}
