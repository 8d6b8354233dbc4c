package dev.pocmerge.lora;

/**
 * HF's default: {@code get_linear_schedule_with_warmup}. Optimizer step k (0-based) of {@code total} uses
 * η_k = η·k/w for k < w, then η·max(0, (total − k)/(total − w)), so the first step of a warmup has η_0 = 0 and the
 * rate reaches 0 at the end.
 */
public record LrSchedule(double lr, int warmupSteps, int totalSteps) {
    public double at(int k) {
        if (k < warmupSteps) {
            return lr * k / Math.max(1, warmupSteps);
        }
        return lr * Math.max(0.0, (double) (totalSteps - k) / Math.max(1, totalSteps - warmupSteps));
    }
}
