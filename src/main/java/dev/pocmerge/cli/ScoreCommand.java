package dev.pocmerge.cli;

import dev.pocmerge.core.InputFiles;
import dev.pocmerge.core.Json;
import dev.pocmerge.eval.AnswerExtraction;
import dev.pocmerge.eval.CommonsenseData;
import dev.pocmerge.eval.CommonsenseTask;
import dev.pocmerge.eval.EvalItem;
import dev.pocmerge.eval.Rescore;
import dev.pocmerge.eval.TaskResult;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pocmerge score --task T --predictions FILE [--data test.json]}: accuracy of outputs made anywhere. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Accuracy of saved model outputs (JSON Lines {index, output} or LLM-Adapters' output JSON),"
                + " extracted as commonsense_evaluate.py does.")
public final class ScoreCommand implements Callable<Integer> {
    @Option(names = "--task", required = true, description = "boolq, piqa, social_i_qa, hellaswag, winogrande,"
            + " ARC-Easy, ARC-Challenge, openbookqa or mini-commonsense")
    String task;

    @Option(names = "--predictions", required = true, paramLabel = "FILE", description = "JSON Lines with index and"
            + " output per line, or LLM-Adapters' saved list (output_pred)")
    Path predictions;

    @Option(names = "--data", paramLabel = "FILE", description = "the set's test.json (gold labels by row); default:"
            + " the gold/answer fields of the predictions")
    Path data;

    @Option(names = "--response-split", defaultValue = "llm-adapters", description = "llm-adapters or dora, for"
            + " outputs that still hold the prompt (default: ${DEFAULT-VALUE})")
    String responseSplit;

    @Option(names = "--json", description = "print {\"task\", \"n\", \"accuracy\", \"unparsable\"}")
    boolean json;

    @Override
    public Integer call() {
        CommonsenseTask t;
        try {
            t = CommonsenseTask.byName(task);
        } catch (dev.pocmerge.core.PocmergeException e) {
            throw new dev.pocmerge.core.PocmergeException("--task: " + e.getMessage(), e);
        }
        AnswerExtraction.Split split = AnswerExtraction.Split.parse(responseSplit);
        InputFiles.regularFile(predictions, "--predictions");
        List<EvalItem> gold = data == null ? null : CommonsenseData.load(InputFiles.regularFile(data, "--data"), t);
        TaskResult r = Rescore.score(t, Rescore.read(predictions), gold, split);
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("task", t.folder());
            o.put("n", r.n());
            o.put("accuracy", r.accuracy());
            o.put("unparsable", r.unparsable());
            System.out.println(Json.COMPACT.toJson(o));
        } else {
            System.out.printf("%s: %d of %d correct, accuracy %.2f %% (stderr %.2f), %d without a label%n", t.folder(),
                    r.correct(), r.n(), 100 * r.accuracy(), 100 * r.stderr(), r.unparsable());
        }
        return 0;
    }
}
