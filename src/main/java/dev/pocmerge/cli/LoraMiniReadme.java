package dev.pocmerge.cli;

import dev.pocmerge.experiments.LoraMini;
import java.util.Locale;

/** The README of notebooks-export/lora-mini. */
final class LoraMiniReadme {
    private LoraMiniReadme() {}

    private static String pretrain(LoraMini.Options o) {
        if (o.pretrainSteps() == 0) {
            return "Its weights are never trained.";
        }
        return "LoRA on the random base stayed at chance (0.33-0.37 after 200 steps, `--pretrain-steps 0`), so the"
                + " base is first pre-trained for " + o.pretrainSteps() + " steps on the task's corpus (the training"
                + " rows as plain text, no prompt template): all seven projections of every layer through one LoRA of"
                + " the largest rank the k/v projections allow, no dropout, no noise, merged into the weights"
                + " (W0 + ΔW, as `merge --full` writes it); embeddings and norms stay random.";
    }

    static String text(LoraMini.Options o, LoraMini.Result r, String table, String command, String machine) {
        return String.format(Locale.ROOT, """
                # Miniature Table 1: LoRA ensemble vs its PoC merge (CPU)

                Regenerate: `%s` (%.0f s on %s).

                A tiny random Llama (hidden %d, %d layers, our byte-level tokenizer) is the frozen base. %s On the
                generated three-way task of `datasets/mini-commonsense` (“Which is a drink?
                1: dog 2: fig 3: soda” → “the correct answer is answer3”, LLM-Adapters' training prompt, %d
                training rows, %d test rows) we train M = %d LoRA adapters of rank %d (α = 2r, dropout 0.05, targets
                q,k,v,up,down) with noisy AdamW (λ = %g, lr %g, linear schedule, %d steps of 16 rows), all M in one
                batched step, and one adapter of rank M·r = %d for the same steps (the paper's "LoRA (256)" row).
                The loss covers %s. Accuracy is the log-likelihood choice among the three answers "the correct answer is answerK"
                (lm-evaluation-harness `acc`), on the test rows, which never repeat a training instruction.

                %s
                - *PoC merge* is the exact merged adapter of rank M·r (ΔW = (1/M)·Σ (α/r)·B_m·A_m per module, the
                  `merge` default), scored through the same hook as the singles.
                - *soup* averages A and B separately (the official code's ablation baseline).
                - *average of singles* is the mean accuracy of the M members, as the paper's "average" row.

                What came out is reported as it came out; the task was not tuned for the merge to win.
                """, command, r.seconds(), machine, o.hidden(), o.layers(), pretrain(o), o.trainRows(), o.testRows(), o.members(),
                o.rank(), o.lambda(), o.lr(), o.steps(), o.members() * o.rank(),
                o.maskPrompt() ? "the response only (`--mask-prompt`: train_on_inputs=False)" : "prompt and response",
                table);
    }
}
