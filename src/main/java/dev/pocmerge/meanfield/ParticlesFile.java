package dev.pocmerge.meanfield;

import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.data.Dataset;
import dev.pocmerge.io.Dtype;
import dev.pocmerge.io.SafetensorsFile;
import dev.pocmerge.io.SafetensorsWriter;
import dev.pocmerge.io.TensorInfo;
import dev.pocmerge.scaleout.MemberSelection;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The trained particles of a run folder, so that members trained in different runs can be combined and merged
 * later ({@code particles.safetensors}; the reference net, when trained, in {@code reference.safetensors}).
 *
 * <p>Layout: one F32 tensor of shape (N, D) per member, named by the member's global index in decimal ("0",
 * "3", …), rows the member's neurons x_i = (w ∈ R^d, b, x_D). The header's {@code __metadata__} says what the
 * numbers mean and which ensemble they belong to: {@code format} ({@value #FORMAT}), {@code format_version},
 * {@code kind} ({@code members} or {@code reference}), {@code task}, {@code data_sha256} (SHA-256 of the
 * train/test split's float32 bits, features then labels, train then test), {@code n_train}, {@code n_test},
 * {@code neuron}, {@code R} (paper neuron only), {@code loss}, {@code M}, {@code N}, {@code D},
 * {@code members} (the indices in this file, {@code --members} syntax), {@code seed}, {@code eta},
 * {@code lambda}, {@code lambda_prime}, {@code steps}, {@code steps_done}, {@code dynamics}, {@code gamma},
 * {@code batch_size}, {@code device} and {@code streams} (the seed-stream scheme, so that files from a
 * different scheme are not merged). The reference file is a one-member ensemble ("0") of N∞ neurons whose
 * {@code seed} is the reference's derived seed; {@code ensemble_seed} holds the run's {@code --seed}.
 */
public final class ParticlesFile {
    public static final String FILE = "particles.safetensors";
    public static final String REFERENCE_FILE = "reference.safetensors";
    public static final String FORMAT = "pocmerge.meanfield.particles";
    /**
     * Per-member noise, minibatch and init streams keyed by (seed, member, step) (NoiseStreams). v2: the CPU noise
     * comes from Commons RNG's ziggurat, not libtorch's generator (v1), so v1 and v2 members do not form one run.
     */
    public static final String STREAMS = "per-member-v2";

    private ParticlesFile() {}

    /** What a file holds: x is (M, N, D) row-major with members in ascending index order. */
    public record Contents(Map<String, String> metadata, int[] members, int neurons, int dim, float[] x) {}

    /** The metadata of {@code spec}'s trained members after {@code stepsDone} steps on {@code device}. */
    public static Map<String, String> metadata(EnsembleSpec spec, Dataset ds, String device, int stepsDone) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("format_version", "1");
        m.put("kind", "members");
        m.put("task", ds.name());
        m.put("data_sha256", fingerprint(ds));
        m.put("n_train", Integer.toString(ds.nTrain()));
        m.put("n_test", Integer.toString(ds.nTest()));
        m.put("neuron", spec.neuron().name());
        if (!Double.isNaN(spec.neuron().scale())) {
            m.put("R", Double.toString(spec.neuron().scale()));
        }
        m.put("loss", spec.loss().name().toLowerCase(java.util.Locale.ROOT));
        m.put("M", Integer.toString(spec.members()));
        m.put("N", Integer.toString(spec.neurons()));
        m.put("D", Integer.toString(ds.d() + 2));
        m.put("members", MemberSelection.format(spec.trained()));
        m.put("seed", Long.toString(spec.seed()));
        MfldConfig c = spec.mfld();
        m.put("eta", Double.toString(c.eta()));
        m.put("lambda", Double.toString(c.lambda()));
        m.put("lambda_prime", Double.toString(c.lambdaPrime()));
        m.put("steps", Integer.toString(c.steps()));
        m.put("steps_done", Integer.toString(stepsDone));
        m.put("dynamics", c.dynamics().name().toLowerCase(java.util.Locale.ROOT));
        m.put("gamma", Double.toString(c.gamma()));
        m.put("batch_size", Integer.toString(c.batchSize()));
        m.put("device", device);
        m.put("streams", STREAMS);
        return m;
    }

    /** Writes the members of {@code p} (their global indices as names) with {@code metadata}. */
    public static void writeMembers(Path file, Particles p, Map<String, String> metadata) {
        write(file, p.memberIds(), p.neurons(), p.dim(), p.x().toFloatArray(), metadata);
    }

    /** Writes the reference net as a one-member ensemble of N∞ neurons (see the class comment). */
    public static void writeReference(Path file, Reference ref, EnsembleSpec ensemble, Dataset ds, String device) {
        Map<String, String> m = metadata(Reference.spec(ensemble, ref.neurons()), ds, device,
                ref.outcome().stepsDone());
        m.put("kind", "reference");
        m.put("ensemble_seed", Long.toString(ensemble.seed()));
        write(file, new int[] {0}, ref.neurons(), ref.dim(), ref.particles(), m);
    }

    private static void write(Path file, int[] ids, int n, int dim, float[] x, Map<String, String> metadata) {
        SafetensorsWriter w = new SafetensorsWriter();
        metadata.forEach(w::metadata);
        int per = n * dim;
        for (int j = 0; j < ids.length; j++) {
            w.add(Integer.toString(ids[j]), Dtype.F32, new long[] {n, dim}, Arrays.copyOfRange(x, j * per,
                    (j + 1) * per));
        }
        w.write(file);
    }

    /** Reads a file written here, checking that names, shapes and dtypes agree with its metadata. */
    public static Contents read(Path file) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Map<String, String> meta = f.metadata();
            if (!FORMAT.equals(meta.get("format"))) {
                throw new PocmergeException(file + ": not a pocmerge particles file (metadata format is "
                        + meta.get("format") + ", expected " + FORMAT + ")");
            }
            int n = intField(file, meta, "N");
            int dim = intField(file, meta, "D");
            int m = intField(file, meta, "M");
            int[] ids;
            try {
                ids = MemberSelection.parse(meta.get("members"), m);
            } catch (PocmergeException e) {
                throw new PocmergeException(file + ": metadata members: " + e.getMessage());
            }
            if (f.names().size() != ids.length) {
                throw new PocmergeException(file + ": " + f.names().size() + " tensors but metadata members lists "
                        + ids.length);
            }
            float[] x = new float[Math.multiplyExact(ids.length, Math.multiplyExact(n, dim))];
            for (int j = 0; j < ids.length; j++) {
                String name = Integer.toString(ids[j]);
                TensorInfo t = f.info(name);
                if (t.dtype() != Dtype.F32 || !Arrays.equals(t.shape(), new long[] {n, dim})) {
                    throw new PocmergeException(file + ": tensor " + name + " is " + t.dtype() + " "
                            + Arrays.toString(t.shape()) + ", expected F32 [" + n + ", " + dim + "]");
                }
                System.arraycopy(f.readFloats(name), 0, x, j * n * dim, n * dim);
            }
            return new Contents(Map.copyOf(meta), ids, n, dim, x);
        }
    }

    private static int intField(Path file, Map<String, String> meta, String key) {
        String v = meta.get(key);
        try {
            int i = Integer.parseInt(v == null ? "" : v);
            if (i > 0) {
                return i;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new PocmergeException(file + ": metadata " + key + " is " + (v == null ? "missing" : "'" + v + "'")
                + ", expected a positive integer");
    }

    /** SHA-256 of the split's float32 bits, so a merge can tell that two runs saw the same data. */
    public static String fingerprint(Dataset ds) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
        for (float[] a : new float[][] {ds.zTrain(), ds.yTrain(), ds.zTest(), ds.yTest()}) {
            ByteBuffer b = ByteBuffer.allocate(a.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(a);
            md.update(b.array());
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
