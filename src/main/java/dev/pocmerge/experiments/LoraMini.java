package dev.pocmerge.experiments;

import ai.djl.Device;
import dev.pocmerge.data.Instruction;
import dev.pocmerge.data.MiniCommonsense;
import dev.pocmerge.data.TrainPrompt;
import dev.pocmerge.data.TrainTokenization;
import dev.pocmerge.io.Dtype;
import dev.pocmerge.llama.LlamaCheckpoint;
import dev.pocmerge.llama.LlamaConfig;
import dev.pocmerge.llama.LlamaModel;
import dev.pocmerge.llama.LlamaTokenizer;
import dev.pocmerge.llama.LinearHook;
import dev.pocmerge.llama.TinyLlama;
import dev.pocmerge.lora.AdapterHook;
import dev.pocmerge.lora.AdapterMerge;
import dev.pocmerge.lora.ChoiceScorer;
import dev.pocmerge.lora.FinetuneConfig;
import dev.pocmerge.lora.LoraAdapter;
import dev.pocmerge.lora.LoraTargets;
import dev.pocmerge.lora.LoraTrainer;
import dev.pocmerge.lora.TrainExample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A miniature of the paper's Table 1 on CPU: a tiny random Llama, M LoRA adapters of rank r trained with noisy
 * AdamW on the generated three-way task (data.MiniCommonsense, commonsense answer format), then test accuracy
 * (log-likelihood of "the correct answer is answerK") of each adapter, of the best, their mean, the PoC merge
 * (exact cat adapter), the soup baseline, one adapter of rank M·r trained for the same steps (the paper's
 * "LoRA (256)" row) and the base.
 */
public final class LoraMini {
    public record Options(int members, int rank, int steps, double lr, double lambda, int trainRows, int testRows,
            int hidden, int layers, boolean maskPrompt, int pretrainSteps, long seed) {}

    /** One table row: accuracy on the test rows. */
    public record Row(String name, double accuracy, int correct, int n) {}

    public record Result(List<Row> rows, double seconds, int steps, int tokensPerRow) {}

    private LoraMini() {}

    public static Result run(Path out, Options o, Device device) {
        long t0 = System.nanoTime();
        Path base = out.resolve("base");
        TinyLlama.Options d = TinyLlama.Options.defaults();
        LlamaConfig c = TinyLlama.write(base, new TinyLlama.Options(o.seed(), o.hidden(), 2 * o.hidden(), o.layers(),
                d.heads(), d.kvHeads(), 0, Dtype.F32, false, null, 1));
        MiniCommonsense.Sets sets = MiniCommonsense.generate(o.trainRows(), o.testRows(), o.seed());
        List<Instruction> train = sets.train().stream().map(MiniCommonsense.Row::asInstruction).toList();
        List<Row> rows = new ArrayList<>();
        if (o.pretrainSteps() > 0) {
            base = pretrain(out, base, c, train, o, device);
        }
        try (LlamaTokenizer tok = LlamaTokenizer.load(base); LlamaModel model = LlamaCheckpoint.load(base, device)) {
            long eos = c.eosTokenIds().get(0);
            List<TrainExample> ex = TrainTokenization.tokenizeAll(train, tok::encode, eos, 256, !o.maskPrompt())
                    .examples();
            List<ChoiceScorer.Item> items = new ArrayList<>();
            int[] gold = new int[sets.test().size()];
            for (int i = 0; i < sets.test().size(); i++) {
                MiniCommonsense.Row r = sets.test().get(i);
                List<String> choices = new ArrayList<>();
                for (int k = 1; k <= MiniCommonsense.CHOICES; k++) {
                    choices.add("the correct answer is answer" + k);
                }
                items.add(new ChoiceScorer.Item(TrainPrompt.user(r.asInstruction()), choices));
                gold[i] = Integer.parseInt(r.answer().substring("answer".length())) - 1;
            }
            ChoiceScorer scorer = new ChoiceScorer(model, tok::encode, 24);
            Map<String, LoraAdapter> singles = new TreeMap<>();
            int[][] perMember;
            try (LoraTrainer t = new LoraTrainer(model, config(o, o.members(), all(o.members()), o.rank()), ex,
                    out.resolve("ensemble"), base.toString())) {
                t.run(false, (dir, a) -> singles.put(dir.getFileName().toString(), a), null);
                perMember = scorer.predict(items, t.ensemble().evalHook(), o.members());
            }
            List<Row> single = new ArrayList<>();
            for (int s = 0; s < o.members(); s++) {
                single.add(row("LoRA member " + s + " (r=" + o.rank() + ")", perMember[s], gold));
            }
            rows.addAll(single);
            Row bestRow = single.stream().max(java.util.Comparator.comparingDouble(Row::accuracy)).orElseThrow();
            rows.add(new Row("LoRA (best single)", bestRow.accuracy(), bestRow.correct(), bestRow.n()));
            double mean = single.stream().mapToDouble(Row::accuracy).average().orElse(0);
            rows.add(new Row("LoRA (average of singles)", mean, -1, gold.length));
            List<LoraAdapter> members = new ArrayList<>(singles.values());
            rows.add(score(scorer, model, items, gold, "PoC merge (cat, rank " + o.members() * o.rank() + ")",
                    AdapterMerge.cat(members)));
            rows.add(score(scorer, model, items, gold, "soup (A, B averaged)", AdapterMerge.soup(members)));
            Map<String, LoraAdapter> big = new TreeMap<>();
            try (LoraTrainer t = new LoraTrainer(model, config(o, 1, new int[] {0}, o.members() * o.rank()), ex,
                    out.resolve("single-rank-" + o.members() * o.rank()), base.toString())) {
                t.run(false, (dir, a) -> big.put("big", a), null);
            }
            rows.add(score(scorer, model, items, gold, "LoRA rank " + o.members() * o.rank() + " (one adapter)",
                    big.get("big")));
            rows.add(row("base (no adapter)", scorer.predict(items, LinearHook.NONE, 1)[0], gold));
            int tokens = ex.stream().mapToInt(TrainExample::length).max().orElse(0);
            return new Result(rows, (System.nanoTime() - t0) / 1e9, o.steps(), tokens);
        }
    }

    /**
     * The random base cannot learn the task through LoRA alone in a CPU budget (measured: chance level after 200
     * steps), so it is first pre-trained on the task's corpus, the rows as plain text without the prompt
     * template: every projection of every layer trained through one LoRA of the largest rank the k/v projections
     * allow, with no dropout and no noise, then merged into the weights (W0 + ΔW, `merge --full`). Embeddings
     * and norms stay random.
     */
    private static Path pretrain(Path out, Path base, LlamaConfig c, List<Instruction> train, Options o, Device device) {
        String all = "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj";
        int rank = LoraTargets.parse(all, c).stream().mapToInt(t -> Math.min(t.in(), t.out())).min().orElse(1);
        Map<String, LoraAdapter> got = new TreeMap<>();
        try (LlamaTokenizer tok = LlamaTokenizer.load(base); LlamaModel model = LlamaCheckpoint.load(base, device)) {
            long eos = c.eosTokenIds().get(0);
            List<TrainExample> corpus = new ArrayList<>();
            for (Instruction r : train) {
                long[] ids = tok.encode(r.instruction() + "\n" + r.output());
                long[] withEos = java.util.Arrays.copyOf(ids, ids.length + 1);
                withEos[ids.length] = eos;
                corpus.add(new TrainExample(withEos, withEos));
            }
            FinetuneConfig cfg = new FinetuneConfig("base", "mini-commonsense corpus", 1, new int[] {0}, rank, rank, 0.0,
                    all, 3 * o.lr(), 0.0, 0.0, 1, 16, 16, Math.min(20, o.pretrainSteps() / 10), o.pretrainSteps(), 1.0,
                    256, true, 0, 1000000, 1000000, 1, o.seed(), "f32", false);
            try (LoraTrainer t = new LoraTrainer(model, cfg, corpus, out.resolve("pretrain"), base.toString())) {
                t.run(false, (dir, a) -> got.put("p", a), null);
            }
        }
        Path trained = out.resolve("base-pretrained");
        AdapterMerge.full(base, AdapterMerge.cat(List.of(got.get("p"))), trained);
        return trained;
    }

    private static Row score(ChoiceScorer scorer, LlamaModel model, List<ChoiceScorer.Item> items, int[] gold,
            String name, LoraAdapter adapter) {
        try (AdapterHook h = AdapterHook.sum(model.weights().manager(), List.of(adapter),
                model.weights().activationType())) {
            return row(name, scorer.predict(items, h, 1)[0], gold);
        }
    }

    private static Row row(String name, int[] pred, int[] gold) {
        int ok = 0;
        for (int i = 0; i < gold.length; i++) {
            ok += pred[i] == gold[i] ? 1 : 0;
        }
        return new Row(name, (double) ok / gold.length, ok, gold.length);
    }

    private static int[] all(int m) {
        int[] a = new int[m];
        for (int i = 0; i < m; i++) {
            a[i] = i;
        }
        return a;
    }

    private static FinetuneConfig config(Options o, int m, int[] members, int rank) {
        return new FinetuneConfig("base", "mini-commonsense", m, members, rank, 2.0 * rank, 0.05,
                "q_proj,k_proj,v_proj,up_proj,down_proj", o.lr(), o.lambda(), 0.0, 1, 16, 16, Math.min(20, o.steps() / 10),
                o.steps(), 1.0, 256, !o.maskPrompt(), 0, 1000000, 1000000, 1, o.seed(), "f32", false);
    }

    /** The options as a JSON-friendly map for results.json. */
    public static Map<String, Object> describe(Options o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("M", o.members());
        m.put("rank", o.rank());
        m.put("alpha", 2 * o.rank());
        m.put("steps", o.steps());
        m.put("lr", o.lr());
        m.put("lambda", o.lambda());
        m.put("batch_size", 16);
        m.put("train_rows", o.trainRows());
        m.put("test_rows", o.testRows());
        m.put("base_hidden", o.hidden());
        m.put("base_layers", o.layers());
        m.put("mask_prompt", o.maskPrompt());
        m.put("pretrain_steps", o.pretrainSteps());
        m.put("seed", o.seed());
        return m;
    }
}
