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

    @Option(names = "--beams", description = "beam width; 1 = greedy (default: 4, as commonsense_evaluate.py;"
            + " generation protocol only)")
    Integer beams;

    @Option(names = "--max-new-tokens", description = "(default: 32; generation protocol only)")
    Integer maxNewTokens;

    @Option(names = "--batch-size", description = "prompts per forward (default: 8 on CPU; on a GPU as many as fit)")
    public Integer batchSize;

    @Option(names = "--limit", defaultValue = "0", description = "score the first n rows of each set (0 = all)")
    public int limit;

    @Option(names = "--response-split", description = "llm-adapters (text after the first '### Response:',"
            + " split(...)[1]) or dora (after the last, [-1]) (default: llm-adapters; generation protocol only)")
    String responseSplit;

    public Protocol protocol() {
        return Protocol.parse(protocol);
    }

    /** The beam width: {@code --beams}, 4 when not given. */
    public int beams() {
        return beams != null ? beams : 4;
    }

    public Decoding decoding() {
        return new Decoding(beams(), maxNewTokens != null ? maxNewTokens : 32,
                AnswerExtraction.Split.parse(responseSplit != null ? responseSplit : "llm-adapters"));
    }

    public void check() {
        if (limit < 0) {
            throw new PocmergeException("--limit " + limit + " must be >= 0 (0 = every row)");
        }
        if (batchSize != null && batchSize < 1) {
            throw new PocmergeException("--batch-size " + batchSize + " must be >= 1");
        }
        if (protocol() == Protocol.LOGLIK) {
            // loglik scores each choice's log-likelihood: it decodes nothing, so these would be silently dropped
            for (String[] o : new String[][] {{"--beams", str(beams)}, {"--max-new-tokens", str(maxNewTokens)},
                    {"--response-split", responseSplit}}) {
                if (o[1] != null) {
                    throw new PocmergeException(o[0] + " " + o[1] + " sets the generation protocol's decoding;"
                            + " --protocol loglik decodes nothing: drop " + o[0] + " or use --protocol generation");
                }
            }
        }
        decoding();
        tasks();
        dev.pocmerge.core.InputFiles.folder(model, "--model");
        dev.pocmerge.core.InputFiles.folder(dataDir, "--data-dir");
    }

    private List<CommonsenseTask> tasks() {
        try {
            return CommonsenseTask.parse(tasks);
        } catch (PocmergeException e) {
            throw new PocmergeException("--tasks: " + e.getMessage(), e);
        }
    }

    private static String str(Integer v) {
        return v == null ? null : v.toString();
    }

    /** The asked sets; for {@code --tasks all} a missing set is a warning on stderr, not an error. */
    public CommonsenseData.Sets load() {
        List<CommonsenseTask> asked = tasks();
        boolean all = tasks.trim().equalsIgnoreCase("all");
        CommonsenseData.Sets sets = CommonsenseData.load(dataDir, asked, all, limit);
        for (CommonsenseTask t : sets.missing()) {
            System.err.println("warning: " + CommonsenseData.file(dataDir, t) + " not found: " + t.folder()
                    + " is left out (" + sets.found().size() + " of " + asked.size() + " sets evaluated)");
        }
        return sets;
    }
}
