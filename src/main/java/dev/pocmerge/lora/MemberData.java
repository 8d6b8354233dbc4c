package dev.pocmerge.lora;

import dev.pocmerge.data.MemberSplit;
import dev.pocmerge.core.Shuffle;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What each member sees of the training set: its own held-out validation rows (--val-set-size, drawn from its
 * stream) and, per epoch, its own order of the rest. Everything is a function of (seed, member, epoch), so an
 * optimizer step's micro-batches can be rebuilt from the step number alone (resume needs no data cursor).
 * Every member holds out the same number of rows, so all members have the same steps and micro-batch sizes.
 */
public final class MemberData {
    private final List<TrainExample> examples;
    private final MemberStreams streams;
    private final int[] members;
    private final int[][] train;
    private final int[][] val;
    private final int batch;
    private final int micro;
    private int cachedEpoch = -1;
    private List<int[]> cachedOrders;

    public MemberData(List<TrainExample> examples, MemberStreams streams, int[] members, int valSetSize, int batch,
            int micro) {
        this.examples = examples;
        this.streams = streams;
        this.members = members.clone();
        this.batch = batch;
        this.micro = micro;
        this.train = new int[members.length][];
        this.val = new int[members.length][];
        for (int s = 0; s < members.length; s++) {
            MemberSplit split = MemberSplit.split(examples.size(), valSetSize, streams.seed(), members[s]);
            train[s] = split.train();
            val[s] = split.validation();
        }
    }

    private Random random(MemberStreams.Purpose p, int member, long... coords) {
        return new Random(streams.key(p, member, coords));
    }

    public int trainSize() {
        return train[0].length;
    }

    public int valSize() {
        return val[0].length;
    }

    /** Optimizer steps per epoch: ⌈n_train / batch⌉ (the last step of an epoch takes what is left). */
    public int stepsPerEpoch() {
        return (trainSize() + batch - 1) / batch;
    }

    /** The micro-batches of global optimizer step k, each with one list of rows per member slot. */
    public List<List<List<TrainExample>>> step(int k) {
        int epoch = k / stepsPerEpoch();
        int within = k % stepsPerEpoch();
        int from = within * batch;
        int to = Math.min(from + batch, trainSize());
        List<int[]> orders = orders(epoch);
        List<List<List<TrainExample>>> micros = new ArrayList<>();
        for (int a = from; a < to; a += micro) {
            int b = Math.min(a + micro, to);
            List<List<TrainExample>> perSlot = new ArrayList<>();
            for (int[] order : orders) {
                List<TrainExample> rows = new ArrayList<>();
                for (int i = a; i < b; i++) {
                    rows.add(examples.get(order[i]));
                }
                perSlot.add(rows);
            }
            micros.add(perSlot);
        }
        return micros;
    }

    private List<int[]> orders(int epoch) {
        if (epoch != cachedEpoch) {
            cachedOrders = new ArrayList<>();
            for (int s = 0; s < members.length; s++) {
                int[] order = train[s].clone();
                Shuffle.shuffle(order, random(MemberStreams.Purpose.DATA, members[s], epoch));
                cachedOrders.add(order);
            }
            cachedEpoch = epoch;
        }
        return cachedOrders;
    }

    /** Validation rows in chunks of up to {@code micro} rows per slot. */
    public List<List<List<TrainExample>>> validation() {
        List<List<List<TrainExample>>> chunks = new ArrayList<>();
        for (int a = 0; a < valSize(); a += micro) {
            int b = Math.min(a + micro, valSize());
            List<List<TrainExample>> perSlot = new ArrayList<>();
            for (int[] v : val) {
                List<TrainExample> rows = new ArrayList<>();
                for (int i = a; i < b; i++) {
                    rows.add(examples.get(v[i]));
                }
                perSlot.add(rows);
            }
            chunks.add(perSlot);
        }
        return chunks;
    }
}
