package dev.pocmerge.eval;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.pocmerge.lora.LoraAdapter;
import dev.pocmerge.lora.LoraEnsemble;
import dev.pocmerge.lora.LoraFactors;
import dev.pocmerge.lora.LoraTargets.Target;
import dev.pocmerge.lora.MemberStreams;
import dev.pocmerge.lora.ModuleKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * M frozen single adapters as one {@link LoraEnsemble} (its eval hook applies adapter m to the m-th of M
 * member-major row blocks in one batched matmul per module), so the M singles of an ensemble are scored in one
 * forward over M·b rows instead of M forwards. Only adapters with one rank, one alpha and the same modules stack;
 * for others the caller scores them one at a time.
 */
public final class StackedAdapters {
    private StackedAdapters() {}

    public static Optional<LoraEnsemble> of(NDManager parent, List<LoraAdapter> adapters, DataType dtype) {
        if (adapters.size() < 2 || !stackable(adapters)) {
            return Optional.empty();
        }
        LoraAdapter first = adapters.get(0);
        List<Target> targets = new ArrayList<>();
        for (Map.Entry<ModuleKey, LoraFactors> e : first.modules().entrySet()) {
            targets.add(new Target(e.getKey(), e.getValue().in(), e.getValue().out()));
        }
        int[] members = new int[adapters.size()];
        for (int m = 0; m < members.length; m++) {
            members[m] = m;
        }
        // the random initial factors are overwritten at once; dropout 0: the eval hook never drops
        LoraEnsemble ens = new LoraEnsemble(parent, targets, members, first.settings().r(), first.settings().alpha(),
                0.0, new MemberStreams(0), dtype);
        for (int m = 0; m < adapters.size(); m++) {
            for (Map.Entry<ModuleKey, LoraFactors> e : adapters.get(m).modules().entrySet()) {
                ens.assign(m, e.getKey(), e.getValue());
            }
        }
        return Optional.of(ens);
    }

    static boolean stackable(List<LoraAdapter> adapters) {
        LoraAdapter first = adapters.get(0);
        for (LoraAdapter a : adapters) {
            if (a.settings().r() != first.settings().r() || a.settings().alpha() != first.settings().alpha()
                    || !a.modules().keySet().equals(first.modules().keySet())) {
                return false;
            }
            for (LoraFactors f : a.modules().values()) {
                if (f.rank() != first.settings().r()) {
                    return false;
                }
            }
        }
        return true;
    }
}
