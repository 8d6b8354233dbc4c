package dev.pocmerge.cli;

import com.google.gson.JsonObject;
import dev.pocmerge.core.JsonLines;
import java.nio.file.Path;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;
import me.tongfei.progressbar.ProgressBar;

/**
 * The {@code metrics.jsonl} of the experiment commands (supnorm, lambda-sweep, dynamics, interpolate, symmetries,
 * particles-fp). Their trainers report only how much work is done, in the command's own unit (MFLD steps summed
 * over every network trained, or runs), so the rows say how far and how fast: {@code unit}, {@code done},
 * {@code of}, {@code seconds} since training began, about 50 rows and always the last; {@link #finish} adds a row
 * with {@code final: true}. The numbers a run measures are in {@code results.json}.
 */
final class RunMetrics implements LongConsumer, IntConsumer {
    private final JsonLines out;
    private final ProgressBar bar;
    private final String unit;
    private final long total;
    private final long every;
    private final long t0 = System.nanoTime();
    private long logged = -1;
    private long last;

    /** Rows every {@code max(1, total/50)} units of {@code unit} and the last; each progress update also moves {@code bar}. */
    RunMetrics(Path dir, ProgressBar bar, String unit, long total) {
        this.out = new JsonLines(dir.resolve("metrics.jsonl"));
        this.bar = bar;
        this.unit = unit;
        this.total = total;
        this.every = Math.max(1, total / 50);
    }

    @Override
    public void accept(long done) {
        bar.stepTo(done);
        last = done;
        if (done != logged && (done / every > logged / every || done >= total)) {
            logged = done;
            out.append(row(done));
        }
    }

    @Override
    public void accept(int done) {
        accept((long) done);
    }

    /** The closing row, once the trainer returned. */
    void finish() {
        JsonObject r = row(last);
        r.addProperty("final", true);
        out.append(r);
    }

    private JsonObject row(long done) {
        JsonObject r = new JsonObject();
        r.addProperty("unit", unit);
        r.addProperty("done", done);
        r.addProperty("of", total);
        r.addProperty("seconds", (System.nanoTime() - t0) / 1e9);
        return r;
    }
}
