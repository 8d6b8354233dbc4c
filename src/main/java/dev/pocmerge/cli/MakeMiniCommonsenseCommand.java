package dev.pocmerge.cli;

import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.data.MiniCommonsense;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pocmerge make-mini-commonsense --out DIR}: the generated demo task's train.json and test.json. */
@Command(name = "make-mini-commonsense", mixinStandardHelpOptions = true,
        description = "Write a small generated three-choice task (DIR/train.json, DIR/test.json) in the"
                + " LLM-Adapters commonsense format.")
public final class MakeMiniCommonsenseCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common = new CommonOptions();

    @Option(names = "--train", defaultValue = "2000", description = "training rows (default: ${DEFAULT-VALUE})")
    int train;

    @Option(names = "--test", defaultValue = "200", description = "test rows (default: ${DEFAULT-VALUE})")
    int test;

    @Override
    public Integer call() {
        if (common.folder.out == null) {
            throw new PocmergeException("make-mini-commonsense: --out DIR is required");
        }
        MiniCommonsense.Sets s = MiniCommonsense.write(common.runDir("make-mini-commonsense"), train, test, common.seed);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("out", common.folder.out.toString());
        r.put("seed", common.seed);
        r.put("train", s.train().size());
        r.put("test", s.test().size());
        r.put("train_answers", counts(s.train()));
        r.put("test_answers", counts(s.test()));
        if (common.json) {
            System.out.println(Json.COMPACT.toJson(r));
        } else {
            System.out.printf("wrote %s/train.json (%d rows, answers %s) and test.json (%d rows, answers %s)%n",
                    common.folder.out, s.train().size(), counts(s.train()), s.test().size(), counts(s.test()));
        }
        return 0;
    }

    private static Map<String, Integer> counts(List<MiniCommonsense.Row> rows) {
        Map<String, Integer> m = new TreeMap<>();
        rows.forEach(row -> m.merge(row.answer(), 1, Integer::sum));
        return m;
    }
}
