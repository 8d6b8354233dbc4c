package dev.pocmerge.lora;

import java.util.SortedMap;

/**
 * A rank-k re-compression of the PoC-merged ΔW: the adapter (scale 1) and, per module, the relative Frobenius
 * error ‖ΔW − ΔW_k‖_F / ‖ΔW‖_F (0 where ΔW is 0).
 */
public record SvdMerge(LoraAdapter adapter, SortedMap<ModuleKey, Double> relativeErrors) {
    /** The largest per-module error (0 for an adapter without modules). */
    public double maxRelativeError() {
        return relativeErrors.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }
}
