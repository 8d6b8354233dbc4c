package dev.pocmerge.scaleout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pocmerge.cli.LlamaCliTest;
import dev.pocmerge.io.PeftFiles;
import dev.pocmerge.lora.LoraAdapter;
import dev.pocmerge.lora.LoraFactors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One LoRA ensemble trained in two processes' worth of pieces, merged after: the same as the whole run. */
class SplitLoraEnsembleTest {
    @TempDir
    Path tmp;
    Path model;
    Path data;

    /** {code, stdout, stderr} of one CLI run in this JVM. */
    static String[] run(String... args) {
        LlamaCliTest.Run r = LlamaCliTest.run(args);
        return new String[] {String.valueOf(r.code()), r.out(), r.err()};
    }

    @BeforeEach
    void setUp() throws IOException {
        model = tmp.resolve("tiny");
        assertEquals("0", run("tiny-llama", "--out", model.toString())[0]);
        data = tmp.resolve("train.json");
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < 10; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"instruction\": \"Q").append(i)
                    .append("\", \"output\": \"the correct answer is answer").append(1 + i % 2).append("\"}");
        }
        Files.writeString(data, sb.append("]").toString());
    }

    private String[] finetune(Path out, String members, String lr) {
        List<String> a = new ArrayList<>(List.of("finetune", "--model", model.toString(), "--data", data.toString(),
                "--M", "3", "--rank", "4", "--alpha", "8", "--max-steps", "3", "--batch-size", "2", "--micro-batch-size",
                "1", "--val-set-size", "2", "--eval-steps", "2", "--warmup-steps", "1", "--cutoff-len", "32", "--lr", lr,
                "--device", "cpu", "--out", out.toString()));
        if (members != null) {
            a.addAll(List.of("--members", members));
        }
        return run(a.toArray(new String[0]));
    }

    @Test
    void twoHalvesMergedEqualTheWholeRunMerged() throws IOException {
        assertEquals("0", finetune(tmp.resolve("whole"), null, "1e-3")[0]);
        assertEquals("0", finetune(tmp.resolve("a"), "0,2", "1e-3")[0]);
        assertEquals("0", finetune(tmp.resolve("b"), "1", "1e-3")[0]);
        assertEquals("0", run("merge", "--adapters", tmp.resolve("whole/adapters").toString(), "--out",
                tmp.resolve("m-whole").toString())[0]);
        String[] halves = run("merge", "--adapters", tmp.resolve("b/adapters").toString(),
                tmp.resolve("a/adapters").toString(), "--out", tmp.resolve("m-halves").toString());
        assertEquals("0", halves[0], halves[2]);
        LoraAdapter w = PeftFiles.read(tmp.resolve("m-whole"));
        LoraAdapter h = PeftFiles.read(tmp.resolve("m-halves"));
        assertEquals(12, w.settings().r(), "rank 3 x 4");
        w.modules().forEach((k, f) -> {
            LoraFactors g = h.modules().get(k);
            for (int i = 0; i < f.a().length; i++) {
                assertEquals(f.a()[i], g.a()[i], 1e-5 * (1 + Math.abs(f.a()[i])), k + " A[" + i + "]");
            }
            for (int i = 0; i < f.b().length; i++) {
                assertEquals(f.b()[i], g.b()[i], 1e-5 * (1 + Math.abs(f.b()[i])), k + " B[" + i + "]");
            }
        });
    }

    @Test
    void membersOfRunsWithDifferentHyperparametersAreRefused() {
        assertEquals("0", finetune(tmp.resolve("a"), "0", "1e-3")[0]);
        assertEquals("0", finetune(tmp.resolve("b"), "1", "2e-3")[0]);
        String[] r = run("merge", "--adapters", tmp.resolve("a/adapters").toString(), tmp.resolve("b/adapters").toString(),
                "--out", tmp.resolve("m").toString());
        assertEquals("2", r[0]);
        String err = r[2].strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains("lr") && err.contains("adapter-0") && err.contains("adapter-1"), err);
    }
}
