package dev.pocmerge.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonElement;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.io.Dtype;
import dev.pocmerge.io.SafetensorsFile;
import dev.pocmerge.io.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code checkpoints/checkpoint-<k>/}: the M adapters, both Adam moments and the best-so-far adapters
 * (state.safetensors, float32, exact) and the trainer state (trainer_state.json). Data position and every random
 * stream are functions of the step, so this is all a resume needs. A checkpoint folder is written under a temp
 * name and renamed into place, so a kill at any moment leaves either the whole checkpoint or none.
 */
final class TrainerCheckpoint {
    static final String DIR = "checkpoints";

    /** Optimizer steps completed; {@code bestVal[s]} null while slot s has no validation loss yet. */
    record State(int step, int adamSteps, Double[] bestVal, int[] bestStep, int metricsLines, long tokens,
            double seconds, FinetuneConfig config) {}

    private TrainerCheckpoint() {}

    static void save(Path runDir, State st, List<List<NDArray>> groups, int keep) {
        Path dir = runDir.resolve(DIR);
        Path target = dir.resolve("checkpoint-" + st.step());
        Path tmp = dir.resolve(".checkpoint-" + st.step() + ".tmp-" + System.nanoTime());
        try {
            Files.createDirectories(tmp);
            SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pocmerge-lora-checkpoint");
            String[] names = {"param", "exp_avg", "exp_avg_sq", "best"};
            for (int g = 0; g < groups.size(); g++) {
                List<NDArray> arrays = groups.get(g);
                for (int i = 0; i < arrays.size(); i++) {
                    NDArray a = arrays.get(i);
                    float[] v = a.getDataType() == DataType.FLOAT32 ? a.toFloatArray()
                            : a.toType(DataType.FLOAT32, false).toFloatArray();
                    w.add(names[g] + "." + i, Dtype.F32, a.getShape().getShape(), v);
                }
            }
            w.write(tmp.resolve("state.safetensors"));
            Json.writeAtomic(tmp.resolve("trainer_state.json"), st);
            deleteTree(target);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            prune(dir, keep);
        } catch (IOException e) {
            throw new PocmergeException(target + ": cannot write checkpoint (" + e.getMessage() + ")", e);
        }
    }

    /** The complete checkpoint with the highest step, if any. Removes temp folders a kill left behind. */
    static Optional<Path> latest(Path runDir) {
        Path dir = runDir.resolve(DIR);
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                if (p.getFileName().toString().startsWith(".checkpoint-")) {
                    deleteTree(p);
                }
            }
        } catch (IOException e) {
            throw new PocmergeException(dir + ": cannot list (" + e.getMessage() + ")", e);
        }
        List<Path> all = list(dir);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    static State readState(Path ckpt) {
        Path f = ckpt.resolve("trainer_state.json");
        JsonElement e = Json.read(f);
        try {
            State st = Json.PRETTY.fromJson(e, State.class);
            if (st == null || st.config() == null || st.bestVal() == null || st.bestStep() == null) {
                throw new PocmergeException(f + ": incomplete trainer state");
            }
            return st;
        } catch (RuntimeException ex) {
            if (ex instanceof PocmergeException p) {
                throw p;
            }
            throw new PocmergeException(f + ": malformed trainer state (" + ex.getMessage() + ")");
        }
    }

    /** Copies the saved arrays into {@code groups} (same order and shapes as saved). */
    static void restore(Path ckpt, List<List<NDArray>> groups) {
        String[] names = {"param", "exp_avg", "exp_avg_sq", "best"};
        Path f = ckpt.resolve("state.safetensors");
        try (SafetensorsFile file = SafetensorsFile.open(f)) {
            for (int g = 0; g < groups.size(); g++) {
                List<NDArray> arrays = groups.get(g);
                for (int i = 0; i < arrays.size(); i++) {
                    NDArray a = arrays.get(i);
                    String name = names[g] + "." + i;
                    if (!file.contains(name) || file.info(name).numel() != a.size()) {
                        throw new PocmergeException(f + ": tensor " + name + " missing or of the wrong size");
                    }
                    try (NDManager tmp = a.getManager().newSubManager()) {
                        NDArray v = file.load(name, tmp, DataType.FLOAT32).reshape(a.getShape());
                        a.set(new NDIndex(":"), v.getDataType() == a.getDataType() ? v : v.toType(a.getDataType(), false));
                    }
                }
            }
        }
    }

    private static List<Path> list(Path dir) {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().matches("checkpoint-\\d+")
                    && Files.isRegularFile(p.resolve("trainer_state.json"))).forEach(out::add);
        } catch (IOException e) {
            throw new PocmergeException(dir + ": cannot list (" + e.getMessage() + ")", e);
        }
        out.sort(Comparator.comparingInt(TrainerCheckpoint::stepOf));
        return out;
    }

    private static int stepOf(Path p) {
        return Integer.parseInt(p.getFileName().toString().substring("checkpoint-".length()));
    }

    private static void prune(Path dir, int keep) throws IOException {
        List<Path> all = list(dir);
        for (int i = 0; i < all.size() - keep; i++) {
            deleteTree(all.get(i));
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
