package dev.pocmerge.eval;

import dev.pocmerge.lora.LoraAdapter;
import java.util.List;

/**
 * One model being scored: the base alone, the base with adapters (summed, as PEFT sums several active ones), one
 * single member of an ensemble, or the PoC merge. {@code sources} are the folders it came from (for results.json).
 */
public record Variant(String name, Kind kind, List<LoraAdapter> adapters, List<String> sources) {
    public enum Kind { BASE, ADAPTER, SINGLE, MERGE }

    public Variant {
        adapters = List.copyOf(adapters);
        sources = List.copyOf(sources);
    }

    public static Variant base() {
        return new Variant("base", Kind.BASE, List.of(), List.of());
    }
}
