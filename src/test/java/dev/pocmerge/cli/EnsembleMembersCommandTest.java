package dev.pocmerge.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.stream.JsonReader;
import dev.pocmerge.core.Tensors;
import dev.pocmerge.data.Dataset;
import dev.pocmerge.data.Task;
import dev.pocmerge.meanfield.Batch;
import dev.pocmerge.meanfield.Evaluation;
import dev.pocmerge.meanfield.Metrics;
import dev.pocmerge.meanfield.Neuron;
import dev.pocmerge.meanfield.ParticlesFile;
import dev.pocmerge.meanfield.PocMerge;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ensemble --members}, {@code --reference} and the saved particles, through the command line. */
class EnsembleMembersCommandTest {
    @TempDir
    Path tmp;

    /** λ raised from 0.01 so that the noise, which --members must reproduce, moves the particles visibly. */
    private static final String[] SMALL = {"ensemble", "--M", "4", "--N", "40", "--steps", "40", "--lambda", "0.05",
        "--seed", "9", "--device", "cpu"};

    /** SMALL + extra, with a small reference (400 neurons) unless extra says otherwise. */
    private static String[] args(String... extra) {
        String[] withRef = java.util.Arrays.asList(extra).contains("--reference") ? extra
                : concat(extra, "--reference", "400");
        return concat(SMALL, withRef);
    }

    private JsonObject run(String out, String... extra) {
        CliRun r = CliRun.of(concat(args(extra), "--json", "--out", tmp.resolve(out).toString()));
        assertEquals(0, r.exit(), r.err());
        return strict(r.out().trim());
    }

    /** Gson's JsonParser is lenient (it takes NaN); a strict reader refuses anything JSON forbids. */
    static JsonObject strict(String text) {
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            reader.setLenient(false);
            JsonElement e = new Gson().getAdapter(JsonElement.class).read(reader);
            assertEquals(com.google.gson.stream.JsonToken.END_DOCUMENT, reader.peek(), "trailing text");
            return e.getAsJsonObject();
        } catch (IOException e) {
            throw new AssertionError("not strict JSON: " + e.getMessage() + "\n" + text, e);
        }
    }

    @Test
    void referenceFieldsArePresentInStrictJsonAndInTheTable() throws IOException {
        JsonObject o = run("full");
        assertEquals(o, strict(Files.readString(tmp.resolve("full/results.json"))));
        JsonObject ref = o.getAsJsonObject("reference");
        assertEquals(400, ref.get("N").getAsInt());
        assertEquals(40, ref.get("steps_done").getAsInt());
        for (String k : new String[] {"train_loss", "test_loss", "train_acc", "test_acc"}) {
            assertTrue(ref.has(k), k);
        }
        JsonArray members = o.getAsJsonArray("members");
        for (int j = 0; j < 4; j++) {
            assertEquals(j, members.get(j).getAsJsonObject().get("index").getAsInt());
        }
        JsonObject merged = o.getAsJsonObject("merged");
        JsonObject pruned = o.getAsJsonObject("pruned");
        assertEquals(160, merged.get("neurons").getAsInt());
        assertEquals(40, pruned.get("neurons").getAsInt()); // default: pruned to N
        for (JsonElement e : new JsonElement[] {members.get(0), members.get(3), merged, pruned}) {
            double sup = e.getAsJsonObject().get("sup_to_reference").getAsDouble();
            double rms = e.getAsJsonObject().get("rms_to_reference").getAsDouble();
            assertTrue(rms > 0 && sup >= rms, e.toString());
        }
        assertTrue(Files.size(tmp.resolve("full").resolve(ParticlesFile.REFERENCE_FILE)) > 400 * 4 * 4);

        CliRun table = CliRun.of(args());
        assertEquals(0, table.exit(), table.err());
        String header = table.out().lines().findFirst().orElseThrow();
        assertTrue(header.contains("sup_to_ref") && header.contains("rms_to_ref"), header);
        assertTrue(table.out().contains("\nreference ") && table.out().contains("\nmerged, pruned "), table.out());
    }

    @Test
    void selectedMembersKeepTheirGlobalIndexAndTheirNumbers() {
        JsonObject full = run("full");
        JsonObject part = run("part", "--members", "1,3");
        assertEquals("[1,3]", part.get("member_indices").toString());
        JsonArray fm = full.getAsJsonArray("members");
        JsonArray pm = part.getAsJsonArray("members");
        assertEquals(2, pm.size());
        for (int j = 0; j < 2; j++) {
            JsonObject p = pm.get(j).getAsJsonObject();
            JsonObject f = fm.get(p.get("index").getAsInt()).getAsJsonObject();
            assertEquals(new int[] {1, 3}[j], p.get("index").getAsInt());
            for (String k : new String[] {"train_loss", "test_loss", "sup_to_reference", "rms_to_reference"}) {
                double a = f.get(k).getAsDouble();
                assertEquals(a, p.get(k).getAsDouble(), 1e-5 * Math.abs(a), "member " + p.get("index") + " " + k);
            }
        }
        // the merged net of a part is the merge of that part only
        assertEquals(80, part.getAsJsonObject("merged").get("neurons").getAsInt());
        CliRun table = CliRun.of(args("--members", "3"));
        assertTrue(table.out().contains("\nmember 3 ") && !table.out().contains("member 0"), table.out());
    }

    @Test
    void halvesSavedInTwoRunFoldersMergeToTheWholeRun() {
        JsonObject whole = run("whole");
        run("a", "--members", "0-1");
        run("b", "--members", "2,3");
        ParticlesFile.Contents a = ParticlesFile.read(tmp.resolve("a").resolve(ParticlesFile.FILE));
        ParticlesFile.Contents b = ParticlesFile.read(tmp.resolve("b").resolve(ParticlesFile.FILE));
        ParticlesFile.Contents w = ParticlesFile.read(tmp.resolve("whole").resolve(ParticlesFile.FILE));
        assertArrayEquals(new int[] {0, 1}, a.members());
        assertArrayEquals(new int[] {2, 3}, b.members());
        assertEquals(a.metadata().get("data_sha256"), b.metadata().get("data_sha256"));
        float[] joined = new float[w.x().length];
        System.arraycopy(a.x(), 0, joined, 0, a.x().length);
        System.arraycopy(b.x(), 0, joined, a.x().length, b.x().length);
        Dataset ds = Task.CIRCLES.generate(9);
        Neuron neuron = Neuron.paper(Double.parseDouble(w.metadata().get("R")));
        try (NDManager mgr = NDManager.newBaseManager()) {
            Batch test = Batch.of(mgr, ds.zTest(), ds.yTest(), ds.d(), DataType.FLOAT32);
            double[] fw = merged(mgr, neuron, w.x(), test);
            double[] fj = merged(mgr, neuron, joined, test);
            for (int s = 0; s < fw.length; s++) {
                assertEquals(fw[s], fj[s], 1e-5 * Math.max(1, Math.abs(fw[s])), "test point " + s);
            }
            // and the saved whole run is what its results.json scored
            Metrics m = Metrics.of(fw, ds.yTest(), fw, ds.yTest(), true);
            assertEquals(whole.getAsJsonObject("merged").get("test_loss").getAsDouble(), m.testLoss(), 1e-6);
        }
    }

    @Test
    void referenceZeroAndDataFilesSkipTheReference() throws IOException {
        JsonObject off = run("off", "--reference", "0");
        assertFalse(off.has("reference"));
        assertFalse(off.getAsJsonObject("merged").has("sup_to_reference"));
        assertFalse(off.getAsJsonArray("members").get(0).getAsJsonObject().has("rms_to_reference"));
        assertFalse(Files.exists(tmp.resolve("off").resolve(ParticlesFile.REFERENCE_FILE)));
        assertTrue(Files.exists(tmp.resolve("off").resolve(ParticlesFile.FILE)));
        StringBuilder csv = new StringBuilder();
        java.util.Random rng = new java.util.Random(2);
        for (int i = 0; i < 30; i++) {
            double x = rng.nextGaussian();
            csv.append(x).append(',').append(rng.nextGaussian()).append(',').append(x > 0 ? 1 : -1).append('\n');
        }
        Path file = Files.writeString(tmp.resolve("d.csv"), csv.toString());
        CliRun r = CliRun.of("ensemble", "--data", file.toString(), "--M", "2", "--N", "10", "--steps", "3", "--json",
                "--out", tmp.resolve("csv").toString());
        assertEquals(0, r.exit(), r.err());
        assertFalse(strict(r.out().trim()).has("reference"));
    }

    @Test
    void defaultReferenceHas10000NeuronsOnTheBuiltInTasks() {
        for (String task : new String[] {"circles", "multiindex"}) {
            CliRun r = CliRun.of("ensemble", "--task", task, "--M", "2", "--N", "5", "--steps", "0", "--device", "cpu",
                    "--json", "--out", tmp.resolve(task).toString());
            assertEquals(0, r.exit(), r.err());
            assertEquals(10000, strict(r.out().trim()).getAsJsonObject("reference").get("N").getAsInt(), task);
        }
    }

    @Test
    void badMembersReferenceAndPruneAreOneLineErrors() {
        String[][] cases = {
            {"--members", "4", "--members: member 4 is out of range 0..3 (--M 4)"},
            {"--members", "", "--members: empty list"},
            {"--members", "1,1", "--members: member 1 is named twice"},
            {"--members", "x", "--members: 'x'"},
            {"--reference", "-1", "--reference: must be ≥ 0"},
            {"--reference", "2000000000", "--reference: N∞ × D = 8000000000 parameters is too many"},
            {"--members", "2", "--prune", "41", "--prune: must be in 1..40"},
        };
        for (String[] c : cases) {
            String[] extra = java.util.Arrays.copyOf(c, c.length - 1);
            CliRun r = CliRun.of(args(extra));
            assertEquals(2, r.exit(), String.join(" ", extra) + ": " + r.err());
            assertTrue(r.errorLine().startsWith("error: " + c[c.length - 1]), r.errorLine());
            assertEquals(1, r.err().lines().filter(l -> l.startsWith("error:")).count());
        }
    }

    private static double[] merged(NDManager mgr, Neuron neuron, float[] x, Batch test) {
        try (NDManager sm = mgr.newSubManager()) {
            var xa = Tensors.of(sm, x, new Shape(4, 40, 4), DataType.FLOAT32);
            return Evaluation.predict(neuron, PocMerge.merge(xa), test.z2())[0];
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
