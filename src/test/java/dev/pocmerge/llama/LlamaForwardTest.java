package dev.pocmerge.llama;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The DJL forward against a float64 reference written loop by loop from HF's equations. */
class LlamaForwardTest {
    static final double TOLERANCE = 1e-4;

    static Stream<Arguments> configs() {
        return Stream.of(
                Arguments.of("MHA tied", TestModels.small()),
                Arguments.of("GQA untied llama3-rope", TestModels.gqa()),
                // head_dim (12) != hidden / heads (10), GQA 4:2, untied
                Arguments.of("head_dim != hidden/heads", TestModels.config(40, 64, 2, 4, 2, 12, 50, false, 10000,
                        null)),
                // odd sizes everywhere, multi-query (1 kv head), linear rope scaling, 3 layers
                Arguments.of("odd sizes MQA linear-rope", TestModels.config(33, 37, 3, 3, 1, 14, 97, false, 1000,
                        RopeScaling.linear(2.5))),
                // llama3 scaling with Llama-3.1's factors; tied; every frequency band hit (original context 32)
                Arguments.of("llama3 rope, three bands", TestModels.config(48, 72, 2, 4, 2, 32, 71, true, 500000,
                        RopeScaling.llama3(8, 1, 4, 32))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void matchesFloat64Reference(String name, LlamaConfig c) {
        long seed = name.hashCode();
        Map<String, float[]> w = RandomWeights.generate(c, seed);
        long[] ids = TestModels.randomIds(13, c.vocabSize(), seed + 1);
        double[][] ref = new ReferenceLlama(c, w).forward(ids);
        float[][] got;
        try (LlamaModel m = TestModels.model(c, seed)) {
            got = TestModels.logits(m, TokenBatch.of(ids))[0];
        }
        double max = 0;
        double scale = 0;
        for (int i = 0; i < ref.length; i++) {
            for (int j = 0; j < ref[i].length; j++) {
                max = Math.max(max, Math.abs(ref[i][j] - got[i][j]));
                scale = Math.max(scale, Math.abs(ref[i][j]));
            }
        }
        System.out.printf("forward vs float64 reference [%s]: max |Δlogit| = %.3g (max |logit| %.2f)%n", name, max,
                scale);
        assertTrue(scale > 0.5, "degenerate logits make the comparison meaningless: " + scale);
        assertTrue(max < TOLERANCE, name + ": max |Δlogit| " + max);
    }
}
