package dev.pocmerge.cli;

import ai.djl.Device;
import dev.pocmerge.core.MemoryBudget;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.lora.FinetuneConfig;
import dev.pocmerge.lora.MemoryPlan;
import picocli.CommandLine.ParseResult;

/**
 * The finetune checks that need the data size and the base's shapes, made before the run folder and the weights:
 * options the run would ignore, a batch above the data, and a run that cannot fit in memory ({@code plan}'s model).
 */
final class FinetuneChecks {
    private FinetuneChecks() {}

    static void check(FinetuneConfig cfg, LlamaConfig base, int rows, Device device, ParseResult given) {
        int train = rows - cfg.valSetSize(); // per member: each holds out its own validation rows
        if (cfg.batchSize() > train) {
            throw new PocmergeException("--batch-size " + cfg.batchSize() + " is above the " + train + " training rows"
                    + " per member (" + rows + " rows − --val-set-size " + cfg.valSetSize() + "); use at most " + train);
        }
        if (cfg.valSetSize() == 0 && given.hasMatchedOption("--eval-steps")) {
            throw new PocmergeException("--eval-steps " + cfg.evalSteps() + " does nothing with --val-set-size 0 (no"
                    + " validation rows): drop --eval-steps or give --val-set-size");
        }
        if (cfg.maxSteps() > 0 && given.hasMatchedOption("--epochs")) {
            // a warning, not an error: HF scripts pass both, and HF Trainer's max_steps overrides epochs too
            System.err.println("warning: --max-steps " + cfg.maxSteps() + " sets the run's length; --epochs "
                    + cfg.epochs() + " is ignored");
        }
        MemoryPlan.Options o = new MemoryPlan.Options(base, cfg.members().length, cfg.rank(), cfg.targets(),
                cfg.microBatchSize(), cfg.batchSize(), cfg.cutoffLen(), cfg.baseDtype(), cfg.recompute(),
                cfg.dropout(), cfg.valSetSize() > 0, Long.MAX_VALUE);
        MemoryPlan.Plan plan = MemoryPlan.of(o);
        MemoryBudget.require(device, plan.tensorPeak(), "--M " + cfg.members().length + " members × --rank "
                + cfg.rank() + " with --micro-batch-size " + cfg.microBatchSize() + " × --cutoff-len "
                + cfg.cutoffLen() + " (pocmerge plan's estimate)", "lower --M (or train a part with --members),"
                + " --rank or --micro-batch-size, or add --recompute; `pocmerge plan` shows the parts");
    }
}
