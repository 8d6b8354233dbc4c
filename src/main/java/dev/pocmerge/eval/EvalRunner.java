package dev.pocmerge.eval;

import dev.pocmerge.lora.ChoiceScorer;
import dev.pocmerge.report.Progress;
import java.util.ArrayList;
import java.util.List;
import me.tongfei.progressbar.ProgressBar;

/**
 * Runs one protocol for a group of variants that share a forward (slot s = variant s) over every loaded set,
 * one progress bar per set, and hands each finished set to a listener (so predictions are written as sets
 * finish, not only at the end).
 */
public final class EvalRunner {
    /** What one group did on one set: its variants' items, and the pass's cost. */
    public record TaskRun(CommonsenseTask task, List<List<ItemResult>> perVariant, double seconds,
            long tokensForwarded, long tokensPairwise) {
        public double itemsPerSecond() {
            return perVariant.get(0).size() / Math.max(seconds, 1e-9);
        }
    }

    @FunctionalInterface
    public interface Listener {
        void taskDone(TaskRun run);
    }

    private EvalRunner() {}

    public static List<TaskRun> run(EvalBackend backend, String label, CommonsenseData.Sets data, Protocol protocol,
            Decoding decoding, Listener listener) {
        List<TaskRun> runs = new ArrayList<>();
        for (int t = 0; t < data.found().size(); t++) {
            CommonsenseTask task = data.found().get(t);
            List<EvalItem> items = data.items().get(t);
            List<String> hashes = items.stream().map(it -> EvalPrompt.hash(EvalPrompt.of(it))).toList();
            long t0 = System.nanoTime();
            List<List<ItemResult>> per = new ArrayList<>();
            long forwarded = 0;
            long pairwise = 0;
            try (ProgressBar bar = Progress.items(task.folder() + (label.isEmpty() ? "" : " " + label), items.size())) {
                if (protocol == Protocol.GENERATION) {
                    String[][] decoded = backend.generate(items, decoding, bar::stepBy);
                    for (String[] slot : decoded) {
                        List<ItemResult> r = new ArrayList<>(items.size());
                        for (int i = 0; i < items.size(); i++) {
                            r.add(Scoring.generated(task, items.get(i), hashes.get(i), slot[i], decoding.split()));
                        }
                        per.add(r);
                    }
                } else {
                    ChoiceScorer.Scores s = backend.loglik(items, bar::stepBy);
                    for (double[][] slot : s.loglik()) {
                        List<ItemResult> r = new ArrayList<>(items.size());
                        for (int i = 0; i < items.size(); i++) {
                            r.add(Scoring.loglik(items.get(i), hashes.get(i), slot[i]));
                        }
                        per.add(r);
                    }
                    forwarded = s.tokensForwarded();
                    pairwise = s.tokensPairwise();
                }
            }
            TaskRun run = new TaskRun(task, per, (System.nanoTime() - t0) / 1e9, forwarded, pairwise);
            listener.taskDone(run);
            runs.add(run);
        }
        return runs;
    }
}
