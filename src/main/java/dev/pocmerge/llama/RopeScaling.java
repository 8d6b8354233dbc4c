package dev.pocmerge.llama;

/**
 * {@code rope_scaling} of a Llama config.json: {@code linear} (positions divided by {@code factor}) or
 * {@code llama3} (Llama-3.1's piecewise frequency scaling). The remaining fields are only meaningful for llama3.
 */
public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
        int originalMaxPositionEmbeddings) {

    public static RopeScaling linear(double factor) {
        return new RopeScaling("linear", factor, 0, 0, 0);
    }

    /** Llama-3.1-8B's values unless told otherwise. */
    public static RopeScaling llama3(double factor, double low, double high, int originalMax) {
        return new RopeScaling("llama3", factor, low, high, originalMax);
    }

    public boolean isLlama3() {
        return type.equals("llama3");
    }
}
