package dev.pocmerge.io;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.lora.LoraSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * PEFT's {@code adapter_config.json} for LoRA ({@code peft/tuners/lora/config.py}, {@code LoraConfig}), both ways.
 * We write the fields LoraConfig has had since PEFT 0.10 (older releases reject unknown keys; newer ones fill
 * their new fields with defaults), sorted and indented by 2 as PEFT's {@code json.dumps(indent=2, sort_keys=True)}.
 * We read any PEFT version's file and refuse every setting that would make the adapter compute something other
 * than {@code W0 + (α/r)·B·A} on the unmodified base.
 */
final class PeftConfigJson {
    /** PEFT writes None as null; our default Gson would drop those members. */
    private static final Gson PEFT = new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping()
            .create();

    /** Settings that change the forward or need state we do not have: must be null, false or empty. */
    private static final String[] VARIANTS = {"layer_replication", "trainable_token_indices", "target_parameters",
        "alora_invocation_tokens", "velora_config", "monteclora_config", "use_bdlora", "arrow_config", "kasa_config",
        "use_qalora", "lora_bias", "modules_to_save"};

    private PeftConfigJson() {}

    static String toJson(LoraSettings s) {
        Map<String, JsonElement> f = new TreeMap<>();
        f.put("alpha_pattern", new JsonObject());
        f.put("auto_mapping", JsonNull.INSTANCE);
        f.put("base_model_name_or_path", s.baseModel() == null ? JsonNull.INSTANCE : new JsonPrimitive(s.baseModel()));
        f.put("bias", new JsonPrimitive("none"));
        f.put("fan_in_fan_out", new JsonPrimitive(false));
        f.put("inference_mode", new JsonPrimitive(true));
        f.put("init_lora_weights", new JsonPrimitive(true));
        f.put("layer_replication", JsonNull.INSTANCE);
        f.put("layers_pattern", JsonNull.INSTANCE);
        f.put("layers_to_transform", JsonNull.INSTANCE);
        f.put("loftq_config", new JsonObject());
        f.put("lora_alpha", number(s.alpha()));
        f.put("lora_dropout", new JsonPrimitive(s.dropout()));
        f.put("megatron_config", JsonNull.INSTANCE);
        f.put("megatron_core", new JsonPrimitive("megatron.core"));
        f.put("modules_to_save", JsonNull.INSTANCE);
        f.put("peft_type", new JsonPrimitive("LORA"));
        f.put("r", new JsonPrimitive(s.r()));
        f.put("rank_pattern", new JsonObject());
        f.put("revision", JsonNull.INSTANCE);
        JsonArray targets = new JsonArray();
        s.targetModules().forEach(targets::add);
        f.put("target_modules", targets);
        f.put("task_type", new JsonPrimitive("CAUSAL_LM"));
        f.put("use_dora", new JsonPrimitive(false));
        f.put("use_rslora", new JsonPrimitive(false));
        JsonObject o = new JsonObject();
        f.forEach(o::add);
        return PEFT.toJson(o);
    }

    /** An integral α as an int (PEFT's type is int; 64 must not become 64.0), else the double. */
    private static JsonPrimitive number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1L << 53) {
            return new JsonPrimitive((long) v);
        }
        return new JsonPrimitive(v);
    }

    /**
     * Parses and checks the config. {@code keyModules} lists the module names the safetensors keys hold (short names
     * or paths), used when the config's target_modules is a regex string or layers are restricted. rsLoRA
     * ({@code use_rslora}, scale α/√r) is folded into α: the settings carry α·√r so {@code scale()} = α/√r.
     */
    static LoraSettings parse(Path file, List<String> keyModules, List<String> keyPaths) {
        JsonElement root = Json.read(file);
        if (!root.isJsonObject()) {
            throw new PocmergeException(file + ": not a JSON object (expected PEFT's adapter_config.json)");
        }
        Fields f = new Fields(root.getAsJsonObject(), file);
        String type = f.string("peft_type");
        if (!"LORA".equals(type)) {
            throw f.bad("peft_type", "is " + (type == null ? "missing" : "'" + type + "'") + "; only LORA adapters"
                    + " are supported");
        }
        f.mustBeFalse("use_dora", "DoRA (use_dora true) is unsupported: train a plain LoRA adapter");
        f.mustBeFalse("fan_in_fan_out", "fan_in_fan_out true (Conv1D-style transposed weights) is unsupported");
        f.mustBeEmpty("rank_pattern", "per-module ranks (rank_pattern) are unsupported");
        f.mustBeEmpty("alpha_pattern", "per-module alphas (alpha_pattern) are unsupported");
        for (String v : VARIANTS) {
            f.mustBeEmpty(v, v + " is unsupported (only plain LoRA on the q/k/v/o/gate/up/down projections)");
        }
        String bias = f.string("bias");
        if (bias != null && !bias.equals("none")) {
            throw f.bad("bias", "is '" + bias + "'; only \"none\" is supported");
        }
        JsonElement ie = f.get("init_lora_weights"); // true, false or the name of an initialisation
        String init = ie != null && ie.isJsonPrimitive() && ie.getAsJsonPrimitive().isString() ? ie.getAsString()
                : null;
        if (init != null && (init.startsWith("pissa") || init.equals("olora") || init.equals("corda")
                || init.equals("loftq"))) {
            throw f.bad("init_lora_weights", "is '" + init + "': such an adapter belongs to the residual base PEFT"
                    + " built for it; convert it first (save_pretrained with path_initial_model_for_weight_conversion)");
        }
        int r = f.positiveInt("r");
        double alpha = f.finite("lora_alpha", 8); // PEFT's default
        double dropout = f.finite("lora_dropout", 0);
        if (dropout < 0 || dropout >= 1) {
            throw f.bad("lora_dropout", "must be in [0, 1), got " + dropout);
        }
        if (f.bool("use_rslora")) {
            alpha = alpha * Math.sqrt(r); // rsLoRA scales by α/√r; ours is alpha/r
        }
        List<String> targets = f.targets();
        boolean restricted = !f.isEmpty("layers_to_transform") || !f.isEmpty("layers_pattern");
        if (targets == null || restricted) {
            // A regex, or names limited to some layers: list what the file holds, which PEFT matches exactly.
            targets = restricted ? keyPaths : keyModules;
        }
        String base = f.string("base_model_name_or_path");
        return new LoraSettings(r, alpha, dropout, List.copyOf(targets), base);
    }

    /** Typed access; every error names the file and the field. */
    private record Fields(JsonObject o, Path file) {
        JsonElement get(String name) {
            JsonElement e = o.get(name);
            return e == null || e.isJsonNull() ? null : e;
        }

        PocmergeException bad(String name, String why) {
            return new PocmergeException(file + ": field " + name + " " + why);
        }

        String string(String name) {
            JsonElement e = get(name);
            if (e == null) {
                return null;
            }
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw bad(name, "must be a string, got " + e);
            }
            return e.getAsString();
        }

        boolean bool(String name) {
            JsonElement e = get(name);
            if (e == null) {
                return false;
            }
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
                throw bad(name, "must be true or false, got " + e);
            }
            return e.getAsBoolean();
        }

        void mustBeFalse(String name, String why) {
            if (bool(name)) {
                throw new PocmergeException(file + ": field " + name + ": " + why);
            }
        }

        boolean isEmpty(String name) {
            JsonElement e = get(name);
            return e == null || (e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean() && !e.getAsBoolean())
                    || (e.isJsonObject() && e.getAsJsonObject().isEmpty())
                    || (e.isJsonArray() && e.getAsJsonArray().isEmpty());
        }

        void mustBeEmpty(String name, String why) {
            if (!isEmpty(name)) {
                throw new PocmergeException(file + ": field " + name + " = " + abbreviate(get(name)) + ": " + why);
            }
        }

        double finite(String name, double dflt) {
            JsonElement e = get(name);
            if (e == null) {
                return dflt;
            }
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber() || !Double.isFinite(e.getAsDouble())) {
                throw bad(name, "must be a finite number, got " + e);
            }
            return e.getAsDouble();
        }

        int positiveInt(String name) {
            JsonElement e = get(name);
            if (e == null) {
                throw bad(name, "is missing (the LoRA rank)");
            }
            double v = finite(name, 0);
            if (v != Math.rint(v) || v < 1 || v > Integer.MAX_VALUE) {
                throw bad(name, "must be a positive integer, got " + e);
            }
            return (int) v;
        }

        /** The list, or null for a regex string / absent field (then the keys say which modules exist). */
        List<String> targets() {
            JsonElement e = get("target_modules");
            if (e == null || (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString())) {
                return null;
            }
            if (!e.isJsonArray()) {
                throw bad("target_modules", "must be a list of module names or a regex string, got " + abbreviate(e));
            }
            List<String> out = new ArrayList<>();
            for (JsonElement x : e.getAsJsonArray()) {
                if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isString()) {
                    throw bad("target_modules", "must hold strings, got " + x);
                }
                out.add(x.getAsString());
            }
            return out.isEmpty() ? null : out;
        }

        private static String abbreviate(JsonElement e) {
            String s = String.valueOf(e);
            return s.length() > 80 ? s.substring(0, 77) + "..." : s;
        }
    }
}
