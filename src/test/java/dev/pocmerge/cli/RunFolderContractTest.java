package dev.pocmerge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.pocmerge.core.StrictJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The run-folder contract every writing command follows (core.RunDirs), seen from the command line. */
class RunFolderContractTest {
    /** The commands that write a folder; every other one must not take --out. */
    private static final Set<String> WRITERS = Set.of("ensemble", "supnorm", "lambda-sweep", "tiny-llama",
            "make-mini-commonsense", "finetune", "lora-mini", "merge", "evaluate", "compare", "plan-ensemble",
            "interpolate", "particles-fp", "dynamics", "symmetries");

    @TempDir
    Path tmp;

    private List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aNonEmptyOutIsRefusedUnlessOverwriteAndOverwriteReplacesTheWholeFolder() throws IOException {
        Path model = tmp.resolve("model");
        Files.createDirectories(model);
        Files.writeString(model.resolve("keep.txt"), "a model folder");
        CliRun refused = CliRun.of("tiny-llama", "--out", model.toString(), "--shards", "3");
        assertEquals(2, refused.exit(), refused.err());
        assertTrue(refused.errorLine().contains("--out " + model) && refused.errorLine().contains("--overwrite"),
                refused.err());
        assertEquals(List.of("keep.txt"), names(model), "nothing written, nothing removed");

        CliRun three = CliRun.of("tiny-llama", "--out", model.toString(), "--shards", "3", "--overwrite");
        assertEquals(0, three.exit(), three.err());
        assertFalse(names(model).contains("keep.txt"), "--overwrite replaces the folder, not merges into it");
        assertTrue(names(model).contains("model-00003-of-00003.safetensors"));
        CliRun one = CliRun.of("tiny-llama", "--out", model.toString(), "--overwrite");
        assertEquals(0, one.exit(), one.err());
        assertEquals(List.of("config.json", "generation_config.json", "model.safetensors", "special_tokens_map.json",
                "tokenizer.json", "tokenizer_config.json"), names(model), "no old shards or index");
        assertEquals(List.of("model"), names(tmp), "no hidden folder left beside it");
    }

    @Test
    void emptyOutIsAnErrorNotTheCurrentDirectory() {
        for (String[] args : List.of(new String[] {"tiny-llama", "--out", ""},
                new String[] {"plan-ensemble", "--budget", "1000", "--supnorm",
                        "notebooks-export/supnorm-circles/supnorm.csv", "--out", ""})) {
            CliRun r = CliRun.of(args);
            assertEquals(2, r.exit(), r.err());
            assertTrue(r.errorLine().startsWith("error: --out: empty folder name"), r.err());
        }
        assertFalse(Files.exists(Path.of("config.json")), "nothing written into the working directory");
    }

    @Test
    void onlyCommandsThatWriteTakeOut() {
        List<String> wrong = new ArrayList<>();
        walk(new CommandLine(new Main()), wrong);
        assertEquals(List.of(), wrong);
        CliRun r = CliRun.of("bench", "ensemble", "--out", tmp.resolve("b").toString());
        assertEquals(2, r.exit());
        assertTrue(r.errorLine().contains("Unknown option") && r.errorLine().contains("--out"), r.err());
    }

    private static void walk(CommandLine cl, List<String> wrong) {
        for (CommandLine sub : cl.getSubcommands().values()) {
            String name = sub.getCommandSpec().qualifiedName(" ").replaceFirst("^pocmerge ", "");
            boolean out = sub.getCommandSpec().findOption("--out") != null;
            boolean overwrite = sub.getCommandSpec().findOption("--overwrite") != null;
            if (!name.equals("launch") && (out != WRITERS.contains(name) || out != overwrite)) {
                wrong.add(name + (out ? " takes" : " lacks") + " --out" + (overwrite ? " and --overwrite" : ""));
            }
            walk(sub, wrong);
        }
    }

    @Test
    void ensembleWritesConfigMetricsAndResultsAsStrictJson() throws IOException {
        Path dir = tmp.resolve("e");
        CliRun r = CliRun.of("ensemble", "--M", "2", "--N", "20", "--steps", "100", "--reference", "40", "--device",
                "cpu", "--out", dir.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        StrictJson.check(r.out().strip());
        StrictJson.check(Files.readString(dir.resolve("config.json")));
        StrictJson.check(Files.readString(dir.resolve("results.json")));
        List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl"));
        lines.forEach(StrictJson::check);
        List<JsonObject> rows = lines.stream().map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
        // every 2nd step of each phase (100 / 50), then one final row per phase
        assertEquals(50 + 50 + 2, rows.size(), String.join("\n", lines));
        assertEquals("ensemble", rows.get(0).get("phase").getAsString());
        assertEquals(2, rows.get(0).get("step").getAsInt());
        assertEquals("reference", rows.get(50).get("phase").getAsString());
        assertEquals(100, rows.get(99).get("step").getAsInt());
        JsonObject fin = rows.get(100);
        JsonObject results = JsonParser.parseString(Files.readString(dir.resolve("results.json"))).getAsJsonObject();
        assertEquals(results.getAsJsonObject("merged").get("test_loss"), fin.getAsJsonObject("merged").get("test_loss"));
        assertEquals(results.getAsJsonArray("members").get(1).getAsJsonObject().get("train_loss"),
                fin.getAsJsonArray("members").get(1).getAsJsonObject().get("train_loss"));
        assertEquals(results.getAsJsonObject("reference").get("test_loss"), rows.get(101).get("test_loss"));
    }

    @Test
    void studyCommandsWriteConfigJsonWithResolvedOptions() throws IOException {
        Path dir = tmp.resolve("plan");
        CliRun r = CliRun.of("plan-ensemble", "--budget", "2000", "--supnorm",
                "notebooks-export/supnorm-circles/supnorm.csv", "--out", dir.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        StrictJson.check(r.out().strip());
        StrictJson.check(Files.readString(dir.resolve("results.json")));
        JsonObject c = JsonParser.parseString(StrictJson.check(Files.readString(dir.resolve("config.json"))))
                .getAsJsonObject();
        assertEquals("plan-ensemble", c.get("command").getAsString());
        assertEquals(2000, c.getAsJsonObject("options").get("budget").getAsLong());
        assertEquals(0.25, c.getAsJsonObject("options").get("holdout").getAsDouble(), "a default, resolved");
        assertEquals(2000, c.getAsJsonObject("settings").get("budget").getAsLong());

        Path sup = tmp.resolve("sup");
        CliRun s = CliRun.of("supnorm", "--n-inf", "40", "--n-list", "10", "--m-max", "2", "--resamples", "2",
                "--steps", "5", "--device", "cpu", "--out", sup.toString(), "--json");
        assertEquals(0, s.exit(), s.err());
        StrictJson.check(s.out().strip());
        JsonObject sc = JsonParser.parseString(StrictJson.check(Files.readString(sup.resolve("config.json"))))
                .getAsJsonObject();
        assertEquals(40, sc.getAsJsonObject("settings").get("nInf").getAsInt());
        assertEquals(20, sc.getAsJsonObject("settings").get("resamples").getAsInt() * 10, "given, not the default");
        StrictJson.check(Files.readString(sup.resolve("results.json")));
        progressRows(sup, "mfld_steps");

        Path in = tmp.resolve("interp");
        CliRun i = CliRun.of("interpolate", "--N", "10", "--pairs", "1", "--alphas", "3", "--steps", "7", "--device",
                "cpu", "--out", in.toString(), "--json");
        assertEquals(0, i.exit(), i.err());
        progressRows(in, "mfld_steps");
    }

    /** The experiments' metrics.jsonl: strict rows of work done, rising to the total, then one final row. */
    private static void progressRows(Path dir, String unit) throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl"));
        List<JsonObject> rows = lines.stream().map(l -> JsonParser.parseString(StrictJson.check(l)).getAsJsonObject())
                .toList();
        assertTrue(rows.size() >= 3, dir + ": " + lines);
        long of = rows.get(0).get("of").getAsLong();
        assertTrue(of > 0, lines.toString());
        long prev = 0;
        double prevSeconds = 0;
        for (JsonObject r : rows.subList(0, rows.size() - 1)) {
            assertEquals(unit, r.get("unit").getAsString());
            assertEquals(of, r.get("of").getAsLong());
            assertTrue(r.get("done").getAsLong() > prev, "work done rises: " + lines);
            assertTrue(r.get("seconds").getAsDouble() >= prevSeconds, lines.toString());
            prev = r.get("done").getAsLong();
            prevSeconds = r.get("seconds").getAsDouble();
            assertFalse(r.has("final"));
        }
        assertEquals(of, prev, "the last progress row is the whole run: " + lines);
        JsonObject fin = rows.get(rows.size() - 1);
        assertTrue(fin.get("final").getAsBoolean(), lines.toString());
        assertEquals(of, fin.get("done").getAsLong());
    }
}
