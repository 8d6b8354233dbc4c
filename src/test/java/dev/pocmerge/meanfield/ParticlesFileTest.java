package dev.pocmerge.meanfield;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.pocmerge.core.Engines;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.data.Dataset;
import dev.pocmerge.data.Task;
import dev.pocmerge.io.Dtype;
import dev.pocmerge.io.SafetensorsFile;
import dev.pocmerge.io.SafetensorsWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParticlesFileTest {
    @TempDir
    Path tmp;

    private static EnsembleSpec spec(int steps) {
        Task t = Task.CIRCLES;
        MfldConfig cfg = new MfldConfig(t.eta, t.lambda, t.lambdaPrime, steps, Dynamics.UNDERDAMPED, 0.5, 16);
        return new EnsembleSpec(6, 20, Neuron.paper(7.5), Loss.LOGISTIC, cfg, 3, new int[] {1, 4, 5});
    }

    @Test
    void membersReadBackExactlyWithTheirGlobalIndicesAndTheHyperparameters() {
        Engines.pytorch();
        Dataset ds = Task.CIRCLES.generate(3);
        EnsembleSpec spec = spec(12);
        Path file = tmp.resolve(ParticlesFile.FILE);
        float[] trained;
        try (NDManager mgr = NDManager.newBaseManager(); var r = EnsembleTraining.run(mgr, ds, spec, null)) {
            trained = r.particles().x().toFloatArray();
            ParticlesFile.writeMembers(file, r.particles(), ParticlesFile.metadata(spec, ds, "cpu", 12));
        }
        ParticlesFile.Contents c = ParticlesFile.read(file);
        assertArrayEquals(new int[] {1, 4, 5}, c.members());
        assertEquals(20, c.neurons());
        assertEquals(4, c.dim());
        assertArrayEquals(trained, c.x()); // float32 stored as F32: bit for bit
        Map<String, String> m = c.metadata();
        Map<String, String> expected = Map.ofEntries(Map.entry("format", ParticlesFile.FORMAT),
                Map.entry("kind", "members"), Map.entry("task", "circles"), Map.entry("neuron", "paper"),
                Map.entry("R", "7.5"), Map.entry("loss", "logistic"), Map.entry("M", "6"), Map.entry("N", "20"),
                Map.entry("D", "4"), Map.entry("members", "1,4-5"), Map.entry("seed", "3"), Map.entry("eta", "0.1"),
                Map.entry("lambda", "0.01"), Map.entry("lambda_prime", "0.1"), Map.entry("steps", "12"),
                Map.entry("steps_done", "12"), Map.entry("dynamics", "underdamped"), Map.entry("gamma", "0.5"),
                Map.entry("batch_size", "16"), Map.entry("device", "cpu"), Map.entry("n_train", "160"),
                Map.entry("n_test", "40"), Map.entry("streams", ParticlesFile.STREAMS));
        expected.forEach((k, v) -> assertEquals(v, m.get(k), "metadata " + k));
        assertEquals(64, m.get("data_sha256").length());
        // the tensors are plain safetensors: one (N, D) F32 tensor per member, named by its global index
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(java.util.List.of("1", "4", "5"), f.names());
            assertArrayEquals(new long[] {20, 4}, f.info("4").shape());
        }
    }

    @Test
    void dataFingerprintTellsDataSetsApart() {
        assertEquals(ParticlesFile.fingerprint(Task.CIRCLES.generate(1)),
                ParticlesFile.fingerprint(Task.CIRCLES.generate(1)));
        assertTrue(!ParticlesFile.fingerprint(Task.CIRCLES.generate(1))
                .equals(ParticlesFile.fingerprint(Task.CIRCLES.generate(2))));
    }

    @Test
    void referenceIsAOneMemberEnsembleOfNInfNeurons() {
        Engines.pytorch();
        Dataset ds = Task.CIRCLES.generate(3);
        EnsembleSpec spec = spec(5);
        Reference ref;
        try (NDManager mgr = NDManager.newBaseManager()) {
            ref = Reference.train(mgr, ds, spec, 50, null);
        }
        Path file = tmp.resolve(ParticlesFile.REFERENCE_FILE);
        ParticlesFile.writeReference(file, ref, spec, ds, "cpu");
        ParticlesFile.Contents c = ParticlesFile.read(file);
        assertArrayEquals(new int[] {0}, c.members());
        assertEquals(50, c.neurons());
        assertArrayEquals(ref.particles(), c.x());
        assertEquals("reference", c.metadata().get("kind"));
        assertEquals("1", c.metadata().get("M"));
        assertEquals(Long.toString(ref.seed()), c.metadata().get("seed"));
        assertEquals("3", c.metadata().get("ensemble_seed"));
    }

    @Test
    void refusesFilesThatAreNotParticlesOrDisagreeWithTheirMetadata() {
        Path foreign = tmp.resolve("model.safetensors");
        new SafetensorsWriter().metadata("format", "pt").add("w", Dtype.F32, new long[] {1}, new float[] {1})
                .write(foreign);
        PocmergeException e = assertThrows(PocmergeException.class, () -> ParticlesFile.read(foreign));
        assertTrue(e.getMessage().startsWith(foreign + ": not a pocmerge particles file"), e.getMessage());

        Path wrongShape = tmp.resolve("bad.safetensors");
        new SafetensorsWriter().metadata("format", ParticlesFile.FORMAT).metadata("M", "4").metadata("N", "2")
                .metadata("D", "3").metadata("members", "2").add("2", Dtype.F32, new long[] {3, 2}, new float[6])
                .write(wrongShape);
        e = assertThrows(PocmergeException.class, () -> ParticlesFile.read(wrongShape));
        assertTrue(e.getMessage().contains("tensor 2 is F32 [3, 2], expected F32 [2, 3]"), e.getMessage());

        Path missing = tmp.resolve("missing.safetensors");
        new SafetensorsWriter().metadata("format", ParticlesFile.FORMAT).metadata("M", "4").metadata("N", "1")
                .metadata("D", "1").metadata("members", "0-1").add("0", Dtype.F32, new long[] {1, 1}, new float[1])
                .write(missing);
        e = assertThrows(PocmergeException.class, () -> ParticlesFile.read(missing));
        assertTrue(e.getMessage().contains("1 tensors but metadata members lists 2"), e.getMessage());
    }
}
