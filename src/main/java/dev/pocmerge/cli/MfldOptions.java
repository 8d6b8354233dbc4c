package dev.pocmerge.cli;

import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.data.Dataset;
import dev.pocmerge.data.Task;
import dev.pocmerge.meanfield.Dynamics;
import dev.pocmerge.meanfield.EnsembleSpec;
import dev.pocmerge.meanfield.Loss;
import dev.pocmerge.meanfield.MfldConfig;
import dev.pocmerge.meanfield.Neuron;
import picocli.CommandLine.Option;

/**
 * MFLD options shared by the mean-field jobs. Unset values take the task's Appendix B.1 defaults; a CSV takes
 * the circles defaults when its labels are ±1 and the multi-index ones otherwise.
 */
public class MfldOptions {
    @Option(names = "--task", description = "circles|multiindex (default: circles)")
    String task;

    @Option(names = "--steps", description = "MFLD steps T (default: 200 circles, 100 multiindex)")
    Integer steps;

    @Option(names = "--eta", description = "step size η (default: 0.1 circles, 0.01 multiindex)")
    Double eta;

    @Option(names = "--lambda", description = "entropy weight λ, noise sqrt(2λη) (default: 0.01)")
    Double lambda;

    @Option(names = "--lambda-prime", description = "L2 weight λ′ (default: 0.1)")
    Double lambdaPrime;

    @Option(names = "--R", description = "output scale R of the paper neuron (default: 10)")
    Double r;

    @Option(names = "--neuron", defaultValue = "paper",
            description = "paper: R·tanh(x3)·tanh(x1·z+x2); classic: a·tanh(w·z+b) (default: ${DEFAULT-VALUE})")
    String neuron;

    @Option(names = "--dynamics", defaultValue = "overdamped", description = "overdamped|underdamped (default: ${DEFAULT-VALUE})")
    String dynamics;

    @Option(names = "--gamma", description = "friction γ of underdamped dynamics (default: 1.0)")
    Double gamma;

    @Option(names = "--batch-size", defaultValue = "0", description = "minibatch per network and step, 0 = full batch")
    int batchSize;

    /** The friction when {@code --gamma} is not given. */
    static final double DEFAULT_GAMMA = 1.0;

    /** The task to generate: {@code --task}, circles when not given. */
    Task task() {
        return Task.parse(task != null ? task : Task.CIRCLES.id());
    }

    /** The built-in task, or the user's CSV; {@code --task} with {@code --data} is refused, not silently dropped. */
    Dataset data(java.nio.file.Path csv, long seed) {
        if (csv != null && task != null) {
            throw new PocmergeException("--task " + task + " and --data " + csv + " exclude each other: --data trains"
                    + " on the CSV; drop one");
        }
        return task().data(csv == null ? null : dev.pocmerge.core.InputFiles.regularFile(csv, "--data"), seed);
    }

    /** The defaults row for this data: the task's, or by label kind for a CSV. */
    Task defaults(Dataset ds) {
        return ds.isClassification() ? Task.CIRCLES : Task.MULTIINDEX;
    }

    MfldConfig config(Dataset ds) {
        Task t = defaults(ds);
        Dynamics dyn;
        try {
            dyn = Dynamics.valueOf(dynamics.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new PocmergeException("--dynamics: '" + dynamics + "' is not one of overdamped, underdamped");
        }
        if (gamma != null && dyn == Dynamics.OVERDAMPED) {
            throw new PocmergeException("--gamma " + gamma + " is the friction of underdamped dynamics and does nothing"
                    + " with --dynamics overdamped; add --dynamics underdamped or drop --gamma");
        }
        if (batchSize > ds.nTrain()) {
            throw new PocmergeException("--batch-size " + batchSize + " is above the " + ds.nTrain() + " training rows of "
                    + ds.name() + "; use at most " + ds.nTrain() + " (0 = full batch)");
        }
        return new MfldConfig(eta != null ? eta : t.eta, lambda != null ? lambda : t.lambda,
                lambdaPrime != null ? lambdaPrime : t.lambdaPrime, steps != null ? steps : t.steps, dyn,
                gamma != null ? gamma : DEFAULT_GAMMA, batchSize);
    }

    Neuron neuron(Dataset ds) {
        double scale = r != null ? r : defaults(ds).r;
        if (!(scale > 0) || !Double.isFinite(scale)) {
            throw new PocmergeException("--R: must be a finite number > 0, got " + scale);
        }
        switch (neuron.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "paper":
                return Neuron.paper(scale);
            case "classic":
                if (r != null) {
                    throw new PocmergeException("--R " + r + " scales the paper neuron; --neuron classic has no R (its"
                            + " output weight a is trained): drop --R or use --neuron paper");
                }
                return Neuron.classic();
            default:
                throw new PocmergeException("--neuron: '" + neuron + "' is not one of paper, classic");
        }
    }

    EnsembleSpec spec(Dataset ds, int members, int neurons, long seed) {
        Loss loss = ds.isClassification() ? Loss.LOGISTIC : Loss.SQUARED;
        return new EnsembleSpec(members, neurons, neuron(ds), loss, config(ds), seed);
    }
}
