package dev.pocmerge.lora;

import com.google.gson.JsonObject;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * metrics.jsonl: one JSON object per optimizer step ({@code step, lr, train_loss{member: L}, grad_norm{...},
 * tokens_per_s}) and per evaluation ({@code step, val_loss{member: L}}). Appended line by line; a resume first
 * cuts the file back to the lines its checkpoint had seen, so a killed run never leaves lines twice.
 */
final class MetricsLog {
    private final Path file;
    private int lines;

    MetricsLog(Path file) {
        this.file = file;
    }

    int lines() {
        return lines;
    }

    void truncate(int keep) {
        try {
            List<String> kept = new ArrayList<>();
            if (Files.isRegularFile(file)) {
                List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
                kept = all.subList(0, Math.min(keep, all.size()));
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, kept, StandardCharsets.UTF_8);
            lines = kept.size();
        } catch (IOException e) {
            throw new PocmergeException(file + ": cannot write (" + e.getMessage() + ")", e);
        }
    }

    void step(int step, double lr, int[] members, double[] loss, double[] gradNorm, double tokensPerSecond) {
        JsonObject o = new JsonObject();
        o.addProperty("step", step);
        o.addProperty("lr", lr);
        o.add("train_loss", perMember(members, loss));
        o.add("grad_norm", perMember(members, gradNorm));
        o.addProperty("tokens_per_s", Double.isFinite(tokensPerSecond) ? tokensPerSecond : 0);
        append(o);
    }

    void eval(int step, int[] members, double[] val) {
        JsonObject o = new JsonObject();
        o.addProperty("step", step);
        o.add("val_loss", perMember(members, val));
        append(o);
    }

    private static JsonObject perMember(int[] members, double[] v) {
        JsonObject o = new JsonObject();
        for (int s = 0; s < members.length; s++) {
            if (Double.isFinite(v[s])) {
                o.addProperty(String.valueOf(members[s]), v[s]);
            } else {
                o.add(String.valueOf(members[s]), com.google.gson.JsonNull.INSTANCE);
            }
        }
        return o;
    }

    private void append(JsonObject o) {
        try {
            Files.writeString(file, Json.COMPACT.toJson(o) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            lines++;
        } catch (IOException e) {
            throw new PocmergeException(file + ": cannot append (" + e.getMessage() + ")", e);
        }
    }
}
