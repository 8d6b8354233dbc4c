package dev.pocmerge.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pocmerge.core.PocmergeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader on the real sets and on the mistakes a data file can make (one line naming file, row, field). */
class CommonsenseDataTest {
    static final Path COMMONSENSE = Path.of("../shared/datasets/commonsense");

    @TempDir
    Path tmp;

    @Test
    void realSetsLoadWithTheirRowCountsAndChoices() {
        assumeTrue(Files.isDirectory(COMMONSENSE), "no ../shared/datasets/commonsense");
        Map<CommonsenseTask, Integer> rows = Map.of(CommonsenseTask.BOOLQ, 3270, CommonsenseTask.PIQA, 1838,
                CommonsenseTask.SIQA, 1954, CommonsenseTask.WINOGRANDE, 1267, CommonsenseTask.ARC_E, 2376,
                CommonsenseTask.ARC_C, 1172, CommonsenseTask.OBQA, 500);
        CommonsenseData.Sets s = CommonsenseData.load(COMMONSENSE, CommonsenseTask.paper(), true, 0);
        for (int t = 0; t < s.found().size(); t++) {
            assertEquals(rows.get(s.found().get(t)), s.items().get(t).size(), s.found().get(t).folder());
        }
        if (!Files.exists(CommonsenseData.file(COMMONSENSE, CommonsenseTask.HELLASWAG))) {
            assertEquals(List.of(CommonsenseTask.HELLASWAG), s.missing());
        }
        List<EvalItem> arc = s.items().get(s.found().indexOf(CommonsenseTask.ARC_E));
        assertEquals(List.of("answer1", "answer2", "answer3", "answer4", "answer5"), arc.get(1441).choices());
        assertEquals("answer5", arc.get(1441).answer());
        assertEquals(List.of("true", "false"), s.items().get(s.found().indexOf(CommonsenseTask.BOOLQ)).get(0).choices());
        assertEquals(5, CommonsenseData.load(COMMONSENSE, List.of(CommonsenseTask.OBQA), false, 5).items().get(0).size());
    }

    @Test
    void missingSetIsAnErrorUnlessAll() throws Exception {
        write("boolq", "[{\"instruction\": \"q? Answer format: true/false\", \"answer\": \"true\"}]");
        PocmergeException e = assertThrows(PocmergeException.class, () -> CommonsenseData.load(tmp,
                List.of(CommonsenseTask.BOOLQ, CommonsenseTask.PIQA), false, 0));
        assertEquals(tmp.resolve("piqa/test.json") + ": file not found (task piqa)", e.getMessage());
        CommonsenseData.Sets all = CommonsenseData.load(tmp, CommonsenseTask.paper(), true, 0);
        assertEquals(List.of(CommonsenseTask.BOOLQ), all.found());
        assertEquals(7, all.missing().size());
    }

    @Test
    void malformedRowsNameFileRowAndField() throws Exception {
        Path f = write("boolq", "[{\"instruction\": \"q\", \"answer\": \"true\"}, {\"instruction\": \"q\"}]");
        assertMessage(f + ": row 1: field \"answer\" is missing", f);
        f = write("boolq", "[{\"instruction\": 3, \"answer\": \"true\"}]");
        assertMessage(f + ": row 0: field \"instruction\" is not a string", f);
        f = write("boolq", "[{\"instruction\": \"q\", \"answer\": \"maybe\"}]");
        assertMessage(f + ": row 0: field \"answer\" is 'maybe', not one of true/false (task boolq)", f);
        f = write("boolq", "[{\"instruction\": \"q\\n\\nAnswer format: yes/no\", \"answer\": \"true\"}]");
        assertMessage(f + ": row 0: field \"instruction\" ends in 'Answer format: yes/no' but 'yes' is not a label of"
                + " task boolq (true/false)", f);
        Path obj = write("boolq", "{\"rows\": []}");
        assertTrue(assertThrows(PocmergeException.class, () -> CommonsenseData.load(obj, CommonsenseTask.BOOLQ))
                .getMessage().startsWith(obj + ": top level is not a list"));
    }

    @Test
    void hellaswagIsReadWhenAUserHasIt() throws Exception {
        write("hellaswag", "[{\"instruction\": \"Please choose the correct ending to complete the given sentence:"
                + " He ...\\n\\nEnding1: a Ending2: b Ending3: c Ending4: d\\n\\nAnswer format:"
                + " ending1/ending2/ending3/ending4\", \"input\": \"\", \"output\": \"the correct answer is ending4\","
                + " \"answer\": \"ending4\"}]");
        CommonsenseData.Sets s = CommonsenseData.load(tmp, CommonsenseTask.paper(), true, 0);
        assertEquals(List.of(CommonsenseTask.HELLASWAG), s.found());
        assertEquals(List.of("ending1", "ending2", "ending3", "ending4"), s.items().get(0).get(0).choices());
        assertEquals(3, s.items().get(0).get(0).goldChoice());
    }

    @Test
    void unknownTaskNamesTheChoices() {
        PocmergeException e = assertThrows(PocmergeException.class, () -> CommonsenseTask.parse("boolq,siqa,nope"));
        assertTrue(e.getMessage().startsWith("unknown task 'nope'; choose from boolq"), e.getMessage());
        assertEquals(List.of(CommonsenseTask.BOOLQ, CommonsenseTask.SIQA), CommonsenseTask.parse("boolq, SIQA"));
        assertEquals(8, CommonsenseTask.parse("all").size());
    }

    private void assertMessage(String expected, Path f) {
        PocmergeException e = assertThrows(PocmergeException.class, () -> CommonsenseData.load(f, CommonsenseTask.BOOLQ));
        assertEquals(expected, e.getMessage());
    }

    private Path write(String task, String json) throws Exception {
        Path f = tmp.resolve(task).resolve("test.json");
        Files.createDirectories(f.getParent());
        Files.writeString(f, json);
        return f;
    }
}
