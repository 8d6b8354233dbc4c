package dev.pocmerge.cli;

import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.eval.AnswerExtraction;
import dev.pocmerge.eval.CommonsenseData;
import dev.pocmerge.eval.CommonsenseTask;
import dev.pocmerge.eval.Decoding;
import dev.pocmerge.eval.Protocol;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** Options {@code evaluate} and {@code compare} share: the model, the sets, the protocol and its settings. */
public class EvalOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face Llama folder (the base)")
    public Path model;

    @Option(names = "--tasks", defaultValue = "all", description = "all (the paper's eight; missing sets are skipped"
            + " with a warning) or a comma list of boolq, piqa, social_i_qa, hellaswag, winogrande, ARC-Easy,"
            + " ARC-Challenge, openbookqa, mini-commonsense (default: ${DEFAULT-VALUE})")
    public String tasks;

    @Option(names = "--data-dir", required = true, paramLabel = "DIR",
            description = "folder of <task>/test.json, as LLM-Adapters' dataset/ (e.g. ../shared/datasets/commonsense)")
    public Path dataDir;

    @Option(names = "--protocol", defaultValue = "generation", description = "generation (beam search and answer"
            + " extraction, as the paper) or loglik (choice log-likelihoods, as lm-eval) (default: ${DEFAULT-VALUE})")
    public String protocol;

    @Option(names = "--beams", defaultValue = "4", description = "beam width; 1 = greedy (default: ${DEFAULT-VALUE},"
            + " as commonsense_evaluate.py)")
    public int beams;

    @Option(names = "--max-new-tokens", defaultValue = "32", description = "(default: ${DEFAULT-VALUE})")
    public int maxNewTokens;

    @Option(names = "--batch-size", description = "prompts per forward (default: 8 on CPU; on a GPU as many as fit)")
    public Integer batchSize;

    @Option(names = "--limit", defaultValue = "0", description = "score the first n rows of each set (0 = all)")
    public int limit;

    @Option(names = "--response-split", defaultValue = "llm-adapters", description = "llm-adapters (text after the"
            + " first '### Response:', split(...)[1]) or dora (after the last, [-1]) (default: ${DEFAULT-VALUE})")
    public String responseSplit;

    public Protocol protocol() {
        return Protocol.parse(protocol);
    }

    public Decoding decoding() {
        return new Decoding(beams, maxNewTokens, AnswerExtraction.Split.parse(responseSplit));
    }

    public void check() {
        if (limit < 0) {
            throw new PocmergeException("--limit " + limit + " must be >= 0 (0 = every row)");
        }
        if (batchSize != null && batchSize < 1) {
            throw new PocmergeException("--batch-size " + batchSize + " must be >= 1");
        }
        protocol();
        decoding();
    }

    /** The asked sets; for {@code --tasks all} a missing set is a warning on stderr, not an error. */
    public CommonsenseData.Sets load() {
        List<CommonsenseTask> asked = CommonsenseTask.parse(tasks);
        boolean all = tasks.trim().equalsIgnoreCase("all");
        CommonsenseData.Sets sets = CommonsenseData.load(dataDir, asked, all, limit);
        for (CommonsenseTask t : sets.missing()) {
            System.err.println("warning: " + CommonsenseData.file(dataDir, t) + " not found: " + t.folder()
                    + " is left out (" + sets.found().size() + " of " + asked.size() + " sets evaluated)");
        }
        return sets;
    }
}
