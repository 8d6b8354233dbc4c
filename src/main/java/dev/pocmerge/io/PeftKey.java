package dev.pocmerge.io;

import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.lora.ModuleKey;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One tensor name of a PEFT LoRA safetensors file on a Llama base:
 * {@code base_model.model.model.layers.{i}.(self_attn|mlp).<proj>.lora_(A|B)[.<adapter>].weight}. PEFT's
 * {@code save_pretrained} strips the adapter name ({@code get_peft_model_state_dict}); files written from a raw
 * {@code state_dict()} keep it, so both are accepted.
 */
record PeftKey(ModuleKey module, boolean isA, String adapterName) {
    private static final Pattern KEY = Pattern.compile("base_model\\.model\\.model\\.layers\\.(\\d{1,9})\\."
            + "(self_attn\\.(?:q_proj|k_proj|v_proj|o_proj)|mlp\\.(?:gate_proj|up_proj|down_proj))"
            + "\\.lora_([AB])(?:\\.([^.]+))?\\.weight");

    static String name(ModuleKey m, boolean isA) {
        return m.peftPrefix() + (isA ? ".lora_A.weight" : ".lora_B.weight");
    }

    /** Parses {@code name}, or explains in one line why the file holds something we cannot apply. */
    static PeftKey parse(Path file, String name) {
        Matcher m = KEY.matcher(name);
        if (m.matches()) {
            String module = m.group(2).substring(m.group(2).indexOf('.') + 1);
            return new PeftKey(new ModuleKey(Integer.parseInt(m.group(1)), module), m.group(3).equals("A"),
                    m.group(4));
        }
        String where = file + ": tensor " + name;
        if (name.contains("lora_magnitude_vector")) {
            throw new PocmergeException(where + " is a DoRA magnitude: DoRA adapters are unsupported");
        }
        if (name.contains("lora_embedding_")) {
            throw new PocmergeException(where + " is an embedding LoRA: only the q/k/v/o/gate/up/down projections"
                    + " are supported");
        }
        if (name.contains(".lora_B") && name.endsWith(".bias")) {
            throw new PocmergeException(where + " is a LoRA bias (lora_bias true): unsupported");
        }
        throw new PocmergeException(where + " is not a LoRA factor of a Llama projection (expected names like"
                + " base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight)");
    }
}
