package dev.pocmerge.llama;

/** Tensor names exactly as Hugging Face's LlamaForCausalLM writes them. */
public final class LlamaNames {
    public static final String EMBED = "model.embed_tokens.weight";
    public static final String NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";

    /** The seven projections LoRA can target, in HF module order. */
    public static final String[] ATTENTION_MODULES = {"q_proj", "k_proj", "v_proj", "o_proj"};
    public static final String[] MLP_MODULES = {"gate_proj", "up_proj", "down_proj"};

    private LlamaNames() {}

    public static String linear(int layer, String module) {
        String block = module.endsWith("_proj") && (module.startsWith("gate") || module.startsWith("up")
                || module.startsWith("down")) ? "mlp" : "self_attn";
        return "model.layers." + layer + "." + block + "." + module + ".weight";
    }

    public static String inputNorm(int layer) {
        return "model.layers." + layer + ".input_layernorm.weight";
    }

    public static String postAttentionNorm(int layer) {
        return "model.layers." + layer + ".post_attention_layernorm.weight";
    }

    /** HF checkpoints from older transformers versions carry this buffer; it is recomputed, never loaded. */
    public static boolean isIgnored(String name) {
        return name.endsWith(".rotary_emb.inv_freq");
    }
}
