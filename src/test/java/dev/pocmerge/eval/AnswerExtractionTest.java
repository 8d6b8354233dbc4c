package dev.pocmerge.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Extraction as commonsense_evaluate.py's split/strip/findall, on every row of the seven real sets. */
class AnswerExtractionTest {
    static final Path COMMONSENSE = Path.of("../shared/datasets/commonsense");

    @Test
    void everyRealRowExtractsItsOwnAnswerAndNotAWrongOne() {
        assumeTrue(Files.isDirectory(COMMONSENSE), "no ../shared/datasets/commonsense");
        int rows = 0;
        for (CommonsenseTask task : CommonsenseTask.paper()) {
            Path f = CommonsenseData.file(COMMONSENSE, task);
            if (task == CommonsenseTask.HELLASWAG && !Files.exists(f)) {
                continue;
            }
            for (EvalItem it : CommonsenseData.load(f, task)) {
                String prompt = EvalPrompt.of(it);
                // what batch_decode gives for a fine-tuned model: the prompt, then its output, then (maybe) more
                String right = prompt + "the correct answer is " + it.answer();
                assertEquals(it.answer(), extract(task, right), task + " row " + it.index());
                String wrongLabel = it.choices().stream().filter(c -> !c.equals(it.answer())).findFirst().orElseThrow();
                String wrong = prompt + "the correct answer is " + wrongLabel;
                assertNotEquals(it.answer(), extract(task, wrong), task + " row " + it.index());
                assertEquals(wrongLabel, extract(task, wrong), task + " row " + it.index());
                rows++;
            }
        }
        assertTrue(rows >= 3270 + 1838 + 1954 + 1267 + 2376 + 1172 + 500, "rows checked: " + rows);
    }

    static String extract(CommonsenseTask t, String decoded) {
        return AnswerExtraction.extract(t, AnswerExtraction.response(decoded, AnswerExtraction.Split.FIRST));
    }

    @Test
    void splitTakesTheirPieceAndStripsAsPython() {
        String d = "prompt ### Response:\n \u00a0 the correct answer is answer2\n### Response: answer3";
        assertEquals("the correct answer is answer2", AnswerExtraction.response(d, AnswerExtraction.Split.FIRST));
        assertEquals("answer3", AnswerExtraction.response(d, AnswerExtraction.Split.LAST));
        assertEquals("answer2", AnswerExtraction.extract(CommonsenseTask.SIQA,
                AnswerExtraction.response(d, AnswerExtraction.Split.FIRST)));
        assertEquals("saved output", AnswerExtraction.response("  saved output\n", AnswerExtraction.Split.FIRST));
    }

    @Test
    void firstMatchLeftmostAndNoMatchIsEmpty() {
        assertEquals("false", AnswerExtraction.extract(CommonsenseTask.BOOLQ, "it is false, not true"));
        assertEquals("", AnswerExtraction.extract(CommonsenseTask.BOOLQ, "True"));
        assertEquals("option2", AnswerExtraction.extract(CommonsenseTask.WINOGRANDE, "xoption2option1"));
        assertEquals("ending4", AnswerExtraction.extract(CommonsenseTask.HELLASWAG, "ending5 ending4"));
        assertEquals("answer5", AnswerExtraction.extract(CommonsenseTask.ARC_E, "the correct answer is answer5"));
        assertEquals("", AnswerExtraction.extract(CommonsenseTask.PIQA, "solution3"));
        assertEquals(List.of("answer1", "answer2", "answer3", "answer4", "answer5"), CommonsenseTask.OBQA.labels());
    }
}
