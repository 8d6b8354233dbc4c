package dev.pocmerge.eval;

import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.llama.BeamSearch;
import dev.pocmerge.llama.GreedyGenerator;
import dev.pocmerge.llama.LinearHook;
import dev.pocmerge.llama.LlamaModel;
import dev.pocmerge.llama.LlamaTokenizer;
import dev.pocmerge.lora.ChoiceScorer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * A Llama model (loaded once) under one hook with {@code slots} member slots: a single adapter or none
 * ({@code slots} 1), or M stacked adapters whose hook reads M member-major row blocks. Prompts are sorted by
 * length (longest first, so a batch that does not fit fails early and the ETA errs long) and batched
 * {@code batchSize} at a time; every slot's copy of a prompt goes into the same forward.
 */
public final class LlamaBackend implements EvalBackend {
    private final LlamaModel model;
    private final LlamaTokenizer tokenizer;
    private final List<Integer> eos;
    private final LinearHook hook;
    private final int slots;
    private final int batchSize;

    public LlamaBackend(LlamaModel model, LlamaTokenizer tokenizer, List<Integer> eos, LinearHook hook, int slots,
            int batchSize) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.eos = List.copyOf(eos);
        this.hook = hook;
        this.slots = slots;
        this.batchSize = Math.max(1, batchSize);
    }

    @Override
    public int slots() {
        return slots;
    }

    @Override
    public String[][] generate(List<EvalItem> items, Decoding d, IntConsumer progress) {
        List<long[]> prompts = new ArrayList<>(items.size());
        for (EvalItem it : items) {
            prompts.add(checked(tokenizer.encode(EvalPrompt.of(it)), it));
        }
        String[][] out = new String[slots][items.size()];
        for (List<Integer> batch : byLength(prompts)) {
            List<long[]> rows = new ArrayList<>(slots * batch.size());
            for (int s = 0; s < slots; s++) {
                for (int i : batch) {
                    rows.add(prompts.get(i));
                }
            }
            List<long[]> fresh = new ArrayList<>(rows.size());
            if (d.beams() == 1) { // HF also decodes num_beams=1 greedily; tested equal to one-beam search
                fresh.addAll(new GreedyGenerator(model, eos, hook).generate(rows, d.maxNewTokens(), true));
            } else {
                new BeamSearch(model, eos, hook).generate(rows, d.beams(), d.maxNewTokens())
                        .forEach(o -> fresh.add(o.tokens()));
            }
            for (int s = 0; s < slots; s++) {
                for (int j = 0; j < batch.size(); j++) {
                    int i = batch.get(j);
                    // their script decodes the whole sequence (batch_decode, skip_special_tokens) and then splits
                    out[s][i] = tokenizer.decode(concat(prompts.get(i), fresh.get(s * batch.size() + j)));
                }
            }
            progress.accept(batch.size());
        }
        return out;
    }

    @Override
    public ChoiceScorer.Scores loglik(List<EvalItem> items, IntConsumer progress) {
        List<ChoiceScorer.Item> cs = new ArrayList<>(items.size());
        int widest = 1;
        for (EvalItem it : items) {
            checked(tokenizer.encode(EvalPrompt.of(it)), it);
            cs.add(new ChoiceScorer.Item(EvalPrompt.of(it), it.choices().stream().map(EvalBackend::answerText).toList()));
            widest = Math.max(widest, it.choices().size());
        }
        return new ChoiceScorer(model, tokenizer::encode, batchSize * widest).score(cs, hook, slots, progress);
    }

    private long[] checked(long[] ids, EvalItem it) {
        int v = model.config().vocabSize();
        for (long id : ids) {
            if (id < 0 || id >= v) {
                throw new PocmergeException("row " + it.index() + ": the tokenizer gives id " + id + " >= vocab_size " + v
                        + " of config.json (tokenizer and model do not belong together)");
            }
        }
        return ids;
    }

    private List<List<Integer>> byLength(List<long[]> prompts) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingInt((Integer i) -> -prompts.get(i).length).thenComparingInt(i -> i));
        List<List<Integer>> out = new ArrayList<>();
        for (int from = 0; from < order.size(); from += batchSize) {
            out.add(order.subList(from, Math.min(order.size(), from + batchSize)));
        }
        return out;
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
