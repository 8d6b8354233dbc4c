package dev.pocmerge.lora;

/**
 * One module's LoRA factors in PEFT layout, float32 row-major: {@code a} is lora_A.weight (rank, in) and
 * {@code b} is lora_B.weight (out, rank). The module's update is {@code ΔW = scale · B·A} (out, in).
 */
public record LoraFactors(int rank, int in, int out, float[] a, float[] b) {
    public LoraFactors {
        if (rank < 1 || in < 1 || out < 1) {
            throw new IllegalArgumentException("rank, in, out must be positive: " + rank + ", " + in + ", " + out);
        }
        if (a.length != (long) rank * in || b.length != (long) out * rank) {
            throw new IllegalArgumentException("A has " + a.length + " values for (" + rank + ", " + in + "), B "
                    + b.length + " for (" + out + ", " + rank + ")");
        }
    }
}
