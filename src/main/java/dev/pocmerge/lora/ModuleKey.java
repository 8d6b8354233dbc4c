package dev.pocmerge.lora;

import dev.pocmerge.llama.LlamaNames;

/** Where one LoRA factor pair sits: a decoder layer and one of its seven projections (q_proj ... down_proj). */
public record ModuleKey(int layer, String module) implements Comparable<ModuleKey> {
    /** HF module path without ".weight", e.g. {@code model.layers.3.self_attn.q_proj}. */
    public String path() {
        String w = LlamaNames.linear(layer, module);
        return w.substring(0, w.length() - ".weight".length());
    }

    /** PEFT's tensor-name prefix: {@code base_model.model.<path>}; add {@code .lora_A.weight} / {@code .lora_B.weight}. */
    public String peftPrefix() {
        return "base_model.model." + path();
    }

    @Override
    public int compareTo(ModuleKey o) {
        if (layer != o.layer) {
            return Integer.compare(layer, o.layer);
        }
        return Integer.compare(order(module), order(o.module));
    }

    /** HF module order within a layer (q, k, v, o, gate, up, down); unknown names sort last. */
    static int order(String module) {
        String[] all = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
        for (int i = 0; i < all.length; i++) {
            if (all[i].equals(module)) {
                return i;
            }
        }
        return all.length;
    }
}
