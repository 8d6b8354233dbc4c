package dev.pocmerge.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pocmerge.core.PocmergeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader on the real LLM-Adapters test sets (../shared, skipped when absent) and on broken files. */
class InstructionDataTest {
    static final Path COMMONSENSE = Path.of("../shared/datasets/commonsense");

    @TempDir
    Path tmp;

    @Test
    void readsTheSevenRealTestSets() {
        assumeTrue(Files.isDirectory(COMMONSENSE), "no ../shared/datasets/commonsense");
        // row counts from ../shared/datasets/commonsense/SOURCE.md
        Map<String, Integer> rows = Map.of("boolq", 3270, "piqa", 1838, "social_i_qa", 1954, "winogrande", 1267,
                "ARC-Easy", 2376, "ARC-Challenge", 1172, "openbookqa", 500);
        rows.forEach((set, n) -> {
            List<Instruction> data = InstructionData.load(COMMONSENSE.resolve(set).resolve("test.json"));
            assertEquals(n, data.size(), set);
            for (Instruction r : data) {
                assertEquals("", r.input(), set + ": input is always empty in these files");
                assertTrue(r.output().startsWith("the correct answer is "), set + ": " + r.output());
            }
        });
        List<Instruction> boolq = InstructionData.load(COMMONSENSE.resolve("boolq/test.json"));
        assertTrue(boolq.get(0).instruction().startsWith("Please answer the following question with true or false,"
                + " question: does ethanol take more "), boolq.get(0).instruction());
        assertEquals("the correct answer is false", boolq.get(boolq.size() - 1).output());
        List<Instruction> piqa = InstructionData.load(COMMONSENSE.resolve("piqa/test.json"));
        assertTrue(piqa.get(0).instruction().startsWith("Please choose the correct solution to the question: How do I"
                + " ready a guinea pig cage for i"));
        assertEquals("the correct answer is solution1", piqa.get(piqa.size() - 1).output());
    }

    @Test
    void inputIsOptionalAndExtraFieldsAreIgnored() throws IOException {
        Path f = write("ok.json", """
                [{"instruction": "a", "output": "b"},
                 {"instruction": "c", "input": null, "output": "d", "answer": "x"},
                 {"instruction": "e", "input": "f", "output": "", "id": 7}]""");
        assertEquals(List.of(new Instruction("a", "", "b"), new Instruction("c", "", "d"),
                new Instruction("e", "f", "")), InstructionData.load(f));
    }

    @Test
    void badRowsNameTheFileRowAndField() throws IOException {
        String ok = "{\"instruction\": \"a\", \"output\": \"b\"}, ";
        assertError("[" + ok + ok + "{\"output\": \"b\"}]", "row 2: field \"instruction\" is missing");
        assertError("[" + ok + "{\"instruction\": \"a\", \"output\": null}]", "row 1: field \"output\" is null");
        assertError("[{\"instruction\": \"a\", \"output\": 3}]", "row 0: field \"output\" is a number (3), expected a"
                + " string");
        assertError("[{\"instruction\": [\"a\"], \"output\": \"b\"}]", "row 0: field \"instruction\" is a list");
        assertError("[{\"instruction\": \"a\", \"input\": false, \"output\": \"b\"}]", "row 0: field \"input\" is a"
                + " boolean (false)");
        assertError("[" + ok + "\"text\"]", "row 1 is a string, expected an object");
    }

    @Test
    void badFilesGetOneLineErrors() throws IOException {
        assertError("{\"instruction\": \"a\", \"output\": \"b\"}", "top level is an object, expected a JSON list");
        assertError("[]", "the list is empty");
        assertError("[{\"instruction\": \"a\", \"output\": ", "malformed JSON");
        assertError("[{\"instruction\" \"a\"}]", "malformed JSON");
        assertError("", "top level is null");
        PocmergeException missing = assertThrows(PocmergeException.class,
                () -> InstructionData.load(tmp.resolve("nope.json")));
        assertTrue(missing.getMessage().startsWith(tmp.resolve("nope.json") + ": file not found"),
                missing.getMessage());
        PocmergeException dir = assertThrows(PocmergeException.class, () -> InstructionData.load(tmp));
        assertTrue(dir.getMessage().startsWith(tmp + ": not a regular file"), dir.getMessage());
    }

    private Path write(String name, String text) throws IOException {
        Path f = tmp.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    private void assertError(String text, String expected) throws IOException {
        Path f = write("bad.json", text);
        PocmergeException e = assertThrows(PocmergeException.class, () -> InstructionData.load(f), text);
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}
