package dev.pocmerge.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.pocmerge.data.TrainTokenization;
import dev.pocmerge.lora.FinetuneConfig;
import dev.pocmerge.lora.LoraTrainer;
import dev.pocmerge.report.Table;
import java.nio.file.Path;
import java.util.Locale;

/** results.json and the summary table of {@code finetune}. */
final class FinetuneResults {
    private FinetuneResults() {}

    static JsonObject json(FinetuneConfig cfg, LoraTrainer.Result r, String device, TrainTokenization.Result data,
            Path dir) {
        JsonObject o = new JsonObject();
        o.addProperty("device", device);
        o.addProperty("model", cfg.model());
        o.addProperty("data", cfg.data());
        o.addProperty("rows", data.examples().size());
        o.addProperty("truncated_rows", data.truncated());
        o.addProperty("M", cfg.ensembleSize());
        o.addProperty("rank", cfg.rank());
        o.addProperty("steps", r.steps());
        o.addProperty("resumed_from_step", r.resumedFrom());
        o.addProperty("seconds", r.seconds());
        o.addProperty("tokens", r.tokens());
        o.addProperty("tokens_per_s", r.seconds() > 0 ? r.tokens() / r.seconds() : 0);
        JsonArray members = new JsonArray();
        for (int s = 0; s < cfg.members().length; s++) {
            JsonObject m = new JsonObject();
            m.addProperty("member", cfg.members()[s]);
            m.addProperty("train_loss", r.lastTrainLoss()[s]);
            if (r.bestValLoss()[s] != null) {
                m.addProperty("best_val_loss", r.bestValLoss()[s]);
                m.addProperty("best_step", r.bestStep()[s]);
            } else {
                m.add("best_val_loss", JsonNull.INSTANCE);
            }
            m.addProperty("adapter", dir.resolve("adapters").resolve("adapter-" + cfg.members()[s]).toString());
            members.add(m);
        }
        o.add("members", members);
        return o;
    }

    static String table(FinetuneConfig cfg, LoraTrainer.Result r) {
        Table t = new Table("member", "final train loss", "best val loss", "best step", "adapter");
        for (int s = 0; s < cfg.members().length; s++) {
            Double v = r.bestValLoss()[s];
            t.row(String.valueOf(cfg.members()[s]), String.format(Locale.ROOT, "%.4f", r.lastTrainLoss()[s]),
                    v == null ? "-" : String.format(Locale.ROOT, "%.4f", v), v == null ? "-" : String.valueOf(r.bestStep()[s]),
                    r.adapters().isEmpty() ? "-" : r.adapters().get(s).toString());
        }
        return t.text() + String.format(Locale.ROOT, "%d steps in %.1f s (%.0f tokens/s)%n", r.steps(), r.seconds(),
                r.seconds() > 0 ? r.tokens() / r.seconds() : 0);
    }
}
