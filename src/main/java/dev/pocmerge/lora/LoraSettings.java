package dev.pocmerge.lora;

import java.util.List;

/**
 * The adapter_config.json fields that change what an adapter computes. PEFT's scale is {@code alpha / r}
 * ({@code use_rslora} false). {@code targetModules} is what the config lists (short names like "q_proj", or full
 * module paths when only some layers carry the module); the safetensors keys say which modules really exist.
 */
public record LoraSettings(int r, double alpha, double dropout, List<String> targetModules, String baseModel) {
    public double scale() {
        return alpha / r;
    }
}
