package dev.pocmerge.eval;

import ai.djl.ndarray.types.DataType;
import dev.pocmerge.llama.LinearHook;
import dev.pocmerge.llama.LlamaModel;
import dev.pocmerge.llama.LlamaTokenizer;
import dev.pocmerge.lora.AdapterHook;
import dev.pocmerge.lora.LoraAdapter;
import dev.pocmerge.lora.LoraEnsemble;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntUnaryOperator;

/**
 * Backends over one loaded base: adapters are switched by swapping the hook (a few MB of factors on the device),
 * never by reloading the base. Consecutive singles that stack go into one {@link LoraEnsemble} group.
 */
public final class LlamaBackends implements BackendFactory {
    private final LlamaModel model;
    private final LlamaTokenizer tokenizer;
    private final List<Integer> eos;
    private final IntUnaryOperator batchSize;

    /** @param batchSize prompts per forward for a group of the given number of slots */
    public LlamaBackends(LlamaModel model, LlamaTokenizer tokenizer, List<Integer> eos, IntUnaryOperator batchSize) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.eos = List.copyOf(eos);
        this.batchSize = batchSize;
    }

    @Override
    public List<Group> groups(List<Variant> variants) {
        List<Group> out = new ArrayList<>();
        DataType dt = model.weights().activationType();
        for (int i = 0; i < variants.size(); ) {
            int j = i;
            while (j < variants.size() && variants.get(j).kind() == Variant.Kind.SINGLE) {
                j++;
            }
            if (j - i >= 2) {
                List<LoraAdapter> singles = variants.subList(i, j).stream().map(v -> v.adapters().get(0)).toList();
                Optional<LoraEnsemble> ens = StackedAdapters.of(model.weights().manager(), singles, dt);
                if (ens.isPresent()) {
                    out.add(group(List.copyOf(variants.subList(i, j)), ens.get().evalHook(), ens.get()));
                    i = j;
                    continue;
                }
            }
            Variant v = variants.get(i);
            if (v.adapters().isEmpty()) {
                out.add(group(List.of(v), LinearHook.NONE, null));
            } else {
                AdapterHook h = AdapterHook.sum(model.weights().manager(), v.adapters(), dt);
                out.add(group(List.of(v), h, h));
            }
            i++;
        }
        return out;
    }

    private Group group(List<Variant> vs, LinearHook hook, AutoCloseable owned) {
        EvalBackend backend = new LlamaBackend(model, tokenizer, eos, hook, vs.size(),
                batchSize.applyAsInt(vs.size()));
        return new Group() {
            @Override
            public List<Variant> variants() {
                return vs;
            }

            @Override
            public EvalBackend backend() {
                return backend;
            }

            @Override
            public void close() {
                if (owned != null) {
                    try {
                        owned.close();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        };
    }
}
