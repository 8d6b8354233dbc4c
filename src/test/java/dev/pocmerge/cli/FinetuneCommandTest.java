package dev.pocmerge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.pocmerge.cli.LlamaCliTest.Run;
import dev.pocmerge.io.PeftFiles;
import dev.pocmerge.lora.LoraAdapter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pocmerge finetune} as a user runs it: files written, resume, and every bad input as one line + exit 2. */
class FinetuneCommandTest {
    @TempDir
    Path tmp;
    Path model;
    Path data;

    @BeforeEach
    void setUp() throws IOException {
        model = tmp.resolve("tiny");
        assertEquals(0, LlamaCliTest.run("tiny-llama", "--out", model.toString(), "--seed", "1").code());
        data = tmp.resolve("train.json");
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < 12; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"instruction\": \"Pick ").append(i % 3)
                    .append("\", \"input\": \"\", \"output\": \"the correct answer is answer").append(1 + i % 3).append("\"}");
        }
        Files.writeString(data, sb.append("]").toString());
    }

    private List<String> args(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("finetune", "--model", model.toString(), "--data", data.toString(),
                "--M", "2", "--rank", "4", "--alpha", "8", "--max-steps", "3", "--batch-size", "2",
                "--micro-batch-size", "1", "--val-set-size", "2", "--eval-steps", "2", "--save-steps", "2",
                "--warmup-steps", "1", "--cutoff-len", "40", "--lr", "1e-3", "--device", "cpu", "--out", out.toString()));
        for (int i = 0; i < extra.length; i++) { // an option given again replaces the default above
            boolean flag = i + 1 == extra.length || extra[i + 1].startsWith("--");
            int at = a.indexOf(extra[i]);
            if (at >= 0 && !flag) {
                a.set(at + 1, extra[++i]);
            } else {
                a.add(extra[i]);
                if (!flag) {
                    a.add(extra[++i]);
                }
            }
        }
        return a;
    }

    private static Run run(List<String> a) {
        return LlamaCliTest.run(a.toArray(new String[0]));
    }

    @Test
    void writesConfigMetricsResultsAndOnePeftAdapterPerMember() throws IOException {
        Path out = tmp.resolve("run");
        Run r = run(args(out, "--json"));
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out().trim()).getAsJsonObject();
        assertEquals(3, o.get("steps").getAsInt());
        assertEquals(2, o.getAsJsonArray("members").size());
        for (int m = 0; m < 2; m++) {
            LoraAdapter a = PeftFiles.read(out.resolve("adapters/adapter-" + m));
            assertEquals(4, a.settings().r());
            assertEquals(2 * 5, a.modules().size(), "5 default targets x 2 layers");
        }
        List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(5, metrics.size(), "3 steps + evaluations after steps 2 and 3: " + metrics);
        assertTrue(metrics.get(0).contains("\"train_loss\":{\"0\":"), metrics.get(0));
        assertTrue(metrics.get(2).contains("\"val_loss\""), metrics.get(2));
        assertTrue(Files.isRegularFile(out.resolve("config.json")));
        assertTrue(Files.isDirectory(out.resolve("checkpoints/checkpoint-3")));
        JsonObject results = JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonObject();
        assertEquals(o, results);

        // resuming a finished run with a different option is refused; the same run is accepted
        Run bad = LlamaCliTest.run("finetune", "--resume", out.toString(), "--lr", "5e-4");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--lr") && bad.err().lines().count() == 1, bad.err());
        Run again = LlamaCliTest.run("finetune", "--resume", out.toString(), "--json");
        assertEquals(0, again.code(), again.err());
        Run reuse = run(args(out));
        assertEquals(2, reuse.code());
        assertTrue(reuse.err().contains("--resume"), reuse.err());
    }

    @Test
    void resumeOnAFolderWithoutARunStartsItThere() {
        Path out = tmp.resolve("pod-3");
        List<String> a = args(out, "--max-steps", "1");
        a.remove("--out");
        a.remove(out.toString());
        a.addAll(List.of("--resume", out.toString()));
        Run first = run(a);
        assertEquals(0, first.code(), first.err());
        assertTrue(Files.isDirectory(out.resolve("adapters/adapter-1")));
        Run restart = run(a); // the same command line after the run exists: resumes (nothing left to do)
        assertEquals(0, restart.code(), restart.err());
    }

    @Test
    void badInputIsOneLineAndExitTwo() throws IOException {
        Files.writeString(tmp.resolve("broken.json"), "[{\"instruction\": \"x\", ");
        Files.writeString(tmp.resolve("nooutput.json"), "[{\"instruction\": \"x\"}]");
        String[][] cases = {
            {"--data", tmp.resolve("missing.json").toString()}, {"--data", tmp.resolve("broken.json").toString()},
            {"--data", tmp.resolve("nooutput.json").toString()}, {"--targets", "foo_proj"},
            {"--targets", "q_proj@7"}, {"--rank", "0"}, {"--rank", "10000"}, {"--M", "0"}, {"--lr", "0"},
            {"--lambda", "-1"}, {"--members", "5"}, {"--base-dtype", "bf16"}, {"--batch-size", "3", "--micro-batch-size", "2"},
            {"--dropout", "1"}, {"--val-set-size", "12"},
        };
        int i = 0;
        for (String[] c : cases) {
            Path out = tmp.resolve("bad-" + i++);
            Run r = run(args(out, c));
            assertFalse(Files.exists(out), Arrays.toString(c) + ": nothing may be written for a bad input");
            assertEquals(2, r.code(), Arrays.toString(c) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), Arrays.toString(c) + ": " + r.err());
            assertTrue(r.err().startsWith("error: "), r.err());
        }
        Run noModel = LlamaCliTest.run("finetune", "--data", data.toString());
        assertEquals(2, noModel.code());
    }

    @Test
    void aDivergingRunStopsNamingTheStepAndKeepsTheLastGoodAdapters() {
        Path out = tmp.resolve("nan");
        Run r = run(args(out, "--lr", "1e30", "--max-grad-norm", "0", "--max-steps", "6"));
        assertEquals(2, r.code(), r.err());
        String last = r.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.matches("error: member \\d: (loss|gradient norm) is (NaN|Infinity|-Infinity) at step \\d.*"),
                r.err());
        assertTrue(Files.isDirectory(out.resolve("adapters/adapter-0")));
    }

    @Test
    void killedWithSigkillAndResumedEndsWithTheSameAdapters() throws Exception {
        Path whole = tmp.resolve("whole");
        assertEquals(0, run(args(whole, "--max-steps", "8", "--save-steps", "2")).code());
        Path killed = tmp.resolve("killed");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true", "dev.pocmerge.cli.Main"));
        cmd.addAll(args(killed, "--max-steps", "8", "--save-steps", "2"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile())
                .start();
        Path ck = killed.resolve("checkpoints/checkpoint-4");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.isDirectory(ck) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        p.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no flush
        p.waitFor();
        assertTrue(Files.isDirectory(ck), Files.readString(tmp.resolve("child.log")));
        assertFalse(Files.exists(killed.resolve("results.json")), "killed before the end");
        Run r = LlamaCliTest.run("finetune", "--resume", killed.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        for (int m = 0; m < 2; m++) {
            LoraAdapter a = PeftFiles.read(whole.resolve("adapters/adapter-" + m));
            LoraAdapter b = PeftFiles.read(killed.resolve("adapters/adapter-" + m));
            a.modules().forEach((k, f) -> {
                assertTrue(Arrays.equals(f.a(), b.modules().get(k).a()), k + " A bit-identical");
                assertTrue(Arrays.equals(f.b(), b.modules().get(k).b()), k + " B bit-identical");
            });
        }
    }
}
