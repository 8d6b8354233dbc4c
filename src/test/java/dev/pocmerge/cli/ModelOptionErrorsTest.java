package dev.pocmerge.cli;

import static dev.pocmerge.cli.Refusals.assertRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pocmerge.core.MemoryBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** LLM commands refuse ignored options, sizes that cannot be held and inputs of the wrong kind, writing nothing. */
class ModelOptionErrorsTest {
    @TempDir
    static Path shared;

    static Path model;
    static Path rows;
    static Path sets;

    @TempDir
    Path tmp;

    @BeforeAll
    static void fixtures() throws IOException {
        model = shared.resolve("tiny");
        assertEquals(0, CliRun.of("tiny-llama", "--out", model.toString(), "--dtype", "f32").exit());
        sets = shared.resolve("sets");
        assertEquals(0, CliRun.of("make-mini-commonsense", "--out", sets.resolve("mini-commonsense").toString(),
                "--train", "20", "--test", "10").exit());
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < 40; i++) {
            json.append(i == 0 ? "" : ",").append("{\"instruction\": \"add ").append(i)
                    .append("\", \"input\": \"\", \"output\": \"").append(i + 1).append("\"}");
        }
        rows = Files.writeString(shared.resolve("rows.json"), json.append("]").toString());
    }

    private Path out() {
        return tmp.resolve("run");
    }

    private String[] evaluate(String... extra) {
        String[] base = {"evaluate", "--model", model.toString(), "--data-dir", sets.toString(), "--tasks",
            "mini-commonsense", "--limit", "2", "--out", out().toString()};
        return Refusals.with(base, extra);
    }

    private String[] finetune(String... extra) {
        String[] base = {"finetune", "--model", model.toString(), "--data", rows.toString(), "--M", "2", "--rank",
            "2", "--max-steps", "1", "--val-set-size", "4", "--batch-size", "4", "--micro-batch-size", "2",
            "--device", "cpu", "--out", out().toString()};
        return Refusals.with(base, extra);
    }

    @Test
    void decodingOptionsWithLoglikAreRefused() {
        assertRefused("--beams", out(), evaluate("--protocol", "loglik", "--beams", "2"));
        assertRefused("--max-new-tokens", out(), evaluate("--protocol", "loglik", "--max-new-tokens", "5"));
        assertRefused("--response-split", out(), evaluate("--protocol", "loglik", "--response-split", "dora"));
    }

    @Test
    void maxNewTokensWithDumpLogitsIsRefused() {
        Path dump = tmp.resolve("logits.json");
        assertRefused("--max-new-tokens", dump, "generate", "--model", model.toString(), "--prompt", "hi",
                "--dump-logits", dump.toString(), "--max-new-tokens", "4");
    }

    @Test
    void generationPastTheModelsPositionsIsRefused() {
        // the tiny model has max_position_embeddings 2048
        String m = assertRefused("--max-new-tokens", null, "generate", "--model", model.toString(), "--prompt",
                "hi", "--max-new-tokens", "5000");
        org.junit.jupiter.api.Assertions.assertTrue(m.contains("2048"), m);
        assertRefused("a prompt of", null, "generate", "--model", model.toString(), "--prompt", "a".repeat(3000),
                "--max-new-tokens", "1");
    }

    @Test
    void evalStepsWithoutValidationIsRefused() {
        assertRefused("--eval-steps", out(), finetune("--val-set-size", "0", "--eval-steps", "5"));
    }

    @Test
    void finetuneBatchAboveTheRowsIsRefused() {
        // 40 rows − 4 validation rows = 36 per member
        assertRefused("--batch-size 40", out(), finetune("--batch-size", "40", "--micro-batch-size", "4"));
    }

    @Test
    void ensembleThatCannotFitIsRefusedFromThePlan() {
        // plan's estimate for 100000 members of rank 8 on the tiny base is ~ 0.5 TiB at T 256, micro-batch 2
        assumeTrue(MemoryBudget.available(null) < 400L << 30, "a machine with > 400 GiB free");
        assertRefused("--M 100000", out(), finetune("--M", "100000", "--rank", "8", "--cutoff-len", "256"));
    }

    @Test
    void tinyLlamaTooLargeIsAUserError() {
        Path o = tmp.resolve("big");
        assertRefused("--hidden", o, "tiny-llama", "--hidden", "1000000", "--intermediate", "1000000", "--out",
                o.toString());
        assertRefused("--hidden 0", o, "tiny-llama", "--hidden", "0", "--out", o.toString());
    }

    @Test
    @Timeout(120)
    void inputsOfTheWrongKindAreRefused() throws IOException, InterruptedException {
        Path dir = Files.createDirectory(tmp.resolve("folder"));
        Path config = model.resolve("config.json");
        assertRefused("--model", out(), evaluate("--model", config.toString()));
        assertRefused("--data-dir", out(), evaluate("--data-dir", rows.toString()));
        assertRefused("--model", null, "generate", "--model", config.toString(), "--prompt", "hi");
        assertRefused("--model", out(), finetune("--model", config.toString()));
        assertRefused("--data", out(), finetune("--data", dir.toString()));
        assertRefused("--data", out(), finetune("--data", "/dev/null"));
        assertRefused("--predictions", null, "score", "--task", "boolq", "--predictions", dir.toString());
        assertRefused("--model", null, "bench", "eval", "--model", config.toString());
        Path fifo = Refusals.fifo(tmp);
        assumeTrue(fifo != null, "mkfifo");
        assertRefused("--data", out(), finetune("--data", fifo.toString()));
        assertRefused("--predictions", null, "score", "--task", "boolq", "--predictions", fifo.toString());
        assertRefused("--config", null, "plan", "--config", fifo.toString());
    }

    @Test
    void messagesNameTheFlag() {
        assertRefused("--task", null, "score", "--task", "nope", "--predictions", rows.toString());
        assertRefused("--tasks", out(), evaluate("--tasks", "nope"));
        assertRefused("--rank 0", tmp.resolve("l"), "lora-mini", "--rank", "0", "--out", tmp.resolve("l").toString());
        assertRefused("--batch 0", null, "bench", "lora", "--batch", "0");
        assertRefused("--repeats 0", null, "bench", "generate", "--model", model.toString(), "--repeats", "0");
    }
}
