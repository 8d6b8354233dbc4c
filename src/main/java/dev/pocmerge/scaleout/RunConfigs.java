package dev.pocmerge.scaleout;

import com.google.gson.JsonElement;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.lora.FinetuneConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Members trained in different processes belong to one ensemble only if their runs agree on everything but
 * {@code --members}. An adapter folder {@code RUN/adapters/adapter-m} written by {@code finetune} has its run's
 * config.json two levels up; adapters from elsewhere (HF PEFT) carry no run config and are checked by shape only.
 */
public final class RunConfigs {
    private RunConfigs() {}

    /** The finetune config of the run that wrote {@code adapterDir}, or null. */
    public static FinetuneConfig of(Path adapterDir) {
        Path parent = adapterDir.toAbsolutePath().normalize().getParent();
        if (parent == null || parent.getParent() == null || !parent.getFileName().toString().equals("adapters")) {
            return null;
        }
        Path cfg = parent.getParent().resolve("config.json");
        if (!Files.isRegularFile(cfg)) {
            return null;
        }
        JsonElement e = Json.read(cfg);
        if (!e.isJsonObject() || !e.getAsJsonObject().has("ensembleSize")) {
            return null; // some other command's run folder
        }
        return FinetuneConfig.fromJson(e.getAsJsonObject(), cfg.toString());
    }

    /** Refuses adapters whose runs differ in a hyperparameter, naming the two folders and the field. */
    public static void checkOneEnsemble(List<Path> adapterDirs) {
        FinetuneConfig first = null;
        Path firstDir = null;
        for (Path d : adapterDirs) {
            FinetuneConfig c = of(d);
            if (c == null) {
                continue;
            }
            if (first == null) {
                first = c;
                firstDir = d;
                continue;
            }
            String diff = first.firstDifference(c);
            if (diff != null) {
                throw new PocmergeException("merge: " + firstDir + " and " + d + " come from runs with a different "
                        + diff + "; they are not members of one ensemble");
            }
        }
    }
}
