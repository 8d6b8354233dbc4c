package dev.pocmerge.eval;

import dev.pocmerge.core.PythonText;
import dev.pocmerge.lora.ChoiceScorer;
import java.util.ArrayList;
import java.util.List;

/** From a model's raw answers to scored items: the pure part of both protocols. */
public final class Scoring {
    private Scoring() {}

    /** Generation: the decoded sequence (prompt included, or an already cut response) to a scored item. */
    public static ItemResult generated(CommonsenseTask task, EvalItem item, String promptHash, String decoded,
            AnswerExtraction.Split split) {
        String response = AnswerExtraction.response(decoded, split);
        String got = AnswerExtraction.extract(task, response);
        return new ItemResult(item.index(), promptHash, response, got, item.answer(), got.equals(item.answer()),
                item.choices(), null, null);
    }

    /**
     * Log-likelihood: {@code acc} takes the argmax of the summed log-probabilities, {@code acc_norm} of the
     * log-probabilities divided by the scored choice text's length in characters (lm-eval's
     * {@code lls / completion_len}); the first maximum wins, as {@code np.argmax}.
     */
    public static ItemResult loglik(EvalItem item, String promptHash, double[] ll) {
        double[] norm = new double[ll.length];
        for (int c = 0; c < ll.length; c++) {
            norm[c] = ll[c] / PythonText.length(EvalBackend.answerText(item.choices().get(c)));
        }
        String pred = item.choices().get(ChoiceScorer.argmax(ll));
        String predNorm = item.choices().get(ChoiceScorer.argmax(norm));
        return new ItemResult(item.index(), promptHash, null, pred, item.answer(), pred.equals(item.answer()),
                item.choices(), ll.clone(), predNorm.equals(item.answer()));
    }

    /** The output ensemble: per item and choice, the mean of the members' log-likelihoods, then as above. */
    public static List<ItemResult> ensemble(List<EvalItem> items, List<List<ItemResult>> members) {
        List<ItemResult> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            double[] mean = new double[items.get(i).choices().size()];
            for (List<ItemResult> m : members) {
                double[] ll = m.get(i).loglik();
                for (int c = 0; c < mean.length; c++) {
                    mean[c] += ll[c] / members.size();
                }
            }
            out.add(loglik(items.get(i), members.get(0).get(i).promptHash(), mean));
        }
        return out;
    }
}
