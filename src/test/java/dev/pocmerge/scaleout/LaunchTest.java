package dev.pocmerge.scaleout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pocmerge.io.PeftFiles;
import dev.pocmerge.lora.LoraAdapter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code launch}: one child JVM per device, members split, merged after; a failing child is named. */
class LaunchTest {
    @TempDir
    Path tmp;

    private List<String> finetune(Path model, Path data, Path out) {
        return new ArrayList<>(List.of("finetune", "--model", model.toString(), "--data", data.toString(), "--M", "3",
                "--rank", "4", "--alpha", "8", "--max-steps", "2", "--batch-size", "2", "--micro-batch-size", "1",
                "--val-set-size", "0", "--warmup-steps", "1", "--cutoff-len", "32", "--out", out.toString()));
    }

    @Test
    void twoCpuChildrenTrainTheEnsembleAndTheirMergeEqualsOneProcess() throws IOException {
        Path model = tmp.resolve("tiny");
        assertEquals("0", SplitLoraEnsembleTest.run("tiny-llama", "--out", model.toString())[0]);
        Path data = tmp.resolve("train.json");
        Files.writeString(data, "[{\"instruction\": \"a\", \"output\": \"b\"}, {\"instruction\": \"c\", \"output\": \"d\"},"
                + " {\"instruction\": \"e\", \"output\": \"f\"}]");
        List<String> launch = new ArrayList<>(List.of("launch", "--devices", "cpu,cpu"));
        launch.addAll(finetune(model, data, tmp.resolve("l")));
        String[] r = SplitLoraEnsembleTest.run(launch.toArray(new String[0]));
        assertEquals("0", r[0], r[2]);
        assertTrue(Files.isDirectory(tmp.resolve("l/part-0/adapters/adapter-0")));
        assertTrue(Files.isDirectory(tmp.resolve("l/part-0/adapters/adapter-1")));
        assertTrue(Files.isDirectory(tmp.resolve("l/part-1/adapters/adapter-2")));
        List<String> whole = finetune(model, data, tmp.resolve("w"));
        whole.addAll(List.of("--device", "cpu"));
        assertEquals("0", SplitLoraEnsembleTest.run(whole.toArray(new String[0]))[0]);
        assertEquals("0", SplitLoraEnsembleTest.run("merge", "--adapters", tmp.resolve("w/adapters").toString(), "--out",
                tmp.resolve("w-merged").toString())[0]);
        LoraAdapter a = PeftFiles.read(tmp.resolve("l/merged"));
        LoraAdapter b = PeftFiles.read(tmp.resolve("w-merged"));
        a.modules().forEach((k, f) -> {
            for (int i = 0; i < f.b().length; i++) {
                assertEquals(b.modules().get(k).b()[i], f.b()[i], 1e-5 * (1 + Math.abs(f.b()[i])), k + " B");
            }
        });

        String[] again = SplitLoraEnsembleTest.run("launch", "--devices", "cpu,cpu", "--resume", "finetune", "--M", "3",
                "--out", tmp.resolve("l").toString());
        assertEquals("0", again[0], again[2]);
        assertTrue(again[2].contains("already finished"), again[2]);

        List<String> bad = new ArrayList<>(List.of("launch", "--devices", "cpu,cpu"));
        bad.addAll(finetune(model, tmp.resolve("missing.json"), tmp.resolve("bad")));
        String[] f = SplitLoraEnsembleTest.run(bad.toArray(new String[0]));
        assertEquals("2", f[0]);
        String last = f[2].strip().lines().reduce((x, y) -> y).orElse("");
        assertTrue(last.startsWith("error: launch: part-") && last.contains("missing.json"), f[2]);
    }
}
