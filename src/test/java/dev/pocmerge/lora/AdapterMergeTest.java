package dev.pocmerge.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.llama.LlamaConfig;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.junit.jupiter.api.Test;

class AdapterMergeTest {
    static final List<String> TARGETS = List.of("q_proj", "k_proj", "v_proj", "up_proj", "down_proj");
    static final LlamaConfig C = TestAdapters.tinyConfig();

    /** Three members with different ranks and alphas (scales 2, 8/3, 4). */
    static List<LoraAdapter> members() {
        return List.of(TestAdapters.random(C, TARGETS, 2, 4, 1), TestAdapters.random(C, TARGETS, 3, 8, 2),
                TestAdapters.random(C, TARGETS, 4, 16, 3));
    }

    /** (1/M)·Σ_m (α_m/r_m)·B_m·A_m, written out in float64 here, independent of the code under test. */
    static double[][] poc(List<LoraAdapter> ms, ModuleKey k) {
        LoraFactors f0 = ms.get(0).modules().get(k);
        double[][] w = new double[f0.out()][f0.in()];
        for (LoraAdapter m : ms) {
            LoraFactors f = m.modules().get(k);
            double s = m.settings().alpha() / m.settings().r() / ms.size();
            for (int o = 0; o < f.out(); o++) {
                for (int i = 0; i < f.in(); i++) {
                    double acc = 0;
                    for (int j = 0; j < f.rank(); j++) {
                        acc += (double) f.b()[o * f.rank() + j] * f.a()[j * f.in() + i];
                    }
                    w[o][i] += s * acc;
                }
            }
        }
        return w;
    }

    /** scale·B·A of a (merged) adapter, float64. */
    static double[][] delta(LoraAdapter a, ModuleKey k) {
        return poc(List.of(a), k);
    }

    static double relErr(double[][] want, double[][] got) {
        double num = 0;
        double den = 0;
        for (int o = 0; o < want.length; o++) {
            for (int i = 0; i < want[0].length; i++) {
                num += (want[o][i] - got[o][i]) * (want[o][i] - got[o][i]);
                den += want[o][i] * want[o][i];
            }
        }
        return Math.sqrt(num / den);
    }

    @Test
    void deltaWeightMatchesAHandComputedExample() {
        SortedMap<ModuleKey, LoraFactors> m = new TreeMap<>();
        ModuleKey k = new ModuleKey(0, "q_proj");
        m.put(k, new LoraFactors(1, 2, 2, new float[] {1, 2}, new float[] {3, 4}));
        LoraAdapter a = new LoraAdapter(new LoraSettings(1, 2, 0, List.of("q_proj"), null), m);
        assertArrayEquals(new float[] {6, 12, 8, 16}, AdapterMerge.deltaWeight(a, k));
    }

    @Test
    void catIsTheExactPocMergeWithScaleOne() {
        List<LoraAdapter> ms = members();
        LoraAdapter cat = AdapterMerge.cat(ms);
        assertEquals(9, cat.settings().r());
        assertEquals(1.0, cat.settings().scale());
        assertEquals(ms.get(0).modules().keySet(), cat.modules().keySet());
        for (ModuleKey k : cat.modules().keySet()) {
            double[][] want = poc(ms, k);
            float[] got = AdapterMerge.deltaWeight(cat, k);
            double[][] g = new double[want.length][want[0].length];
            for (int o = 0; o < want.length; o++) {
                for (int i = 0; i < want[0].length; i++) {
                    g[o][i] = got[o * want[0].length + i];
                }
            }
            assertTrue(relErr(want, g) < 1e-6, k + ": " + relErr(want, g));
            // B columns are the members' B columns bit for bit; the weights went into A.
            LoraFactors f = cat.modules().get(k);
            LoraFactors m1 = ms.get(1).modules().get(k);
            for (int o = 0; o < f.out(); o++) {
                for (int j = 0; j < 3; j++) {
                    assertEquals(m1.b()[o * 3 + j], f.b()[o * 9 + 2 + j]);
                }
            }
            assertEquals((float) (m1.a()[5] * (8.0 / 3 / 3)), f.a()[2 * f.in() + 5]);
        }
    }

    @Test
    void mergingOneAdapterGivesItsOwnDelta() {
        LoraAdapter a = members().get(2);
        LoraAdapter cat = AdapterMerge.cat(List.of(a));
        ModuleKey k = new ModuleKey(1, "down_proj");
        assertTrue(relErr(delta(a, k), delta(cat, k)) < 1e-7);
    }

    @Test
    void soupAveragesTheFactors() {
        List<LoraAdapter> ms = List.of(TestAdapters.random(C, TARGETS, 3, 6, 4), TestAdapters.random(C, TARGETS, 3, 6, 5));
        LoraAdapter soup = AdapterMerge.soup(ms);
        assertEquals(ms.get(0).settings(), soup.settings());
        for (ModuleKey k : soup.modules().keySet()) {
            LoraFactors x = ms.get(0).modules().get(k);
            LoraFactors y = ms.get(1).modules().get(k);
            LoraFactors s = soup.modules().get(k);
            for (int i = 0; i < s.a().length; i++) {
                assertEquals((float) ((x.a()[i] + (double) y.a()[i]) / 2), s.a()[i]);
            }
            for (int i = 0; i < s.b().length; i++) {
                assertEquals((float) ((x.b()[i] + (double) y.b()[i]) / 2), s.b()[i]);
            }
        }
        // ... which is not the PoC merge
        ModuleKey k = new ModuleKey(0, "q_proj");
        assertTrue(relErr(poc(ms, k), delta(soup, k)) > 0.1);
        PocmergeException e = assertThrows(PocmergeException.class, () -> AdapterMerge.soup(members(),
                List.of("runs/a/adapter-0", "runs/a/adapter-1", "runs/a/adapter-2")));
        assertTrue(e.getMessage().contains("runs/a/adapter-0") && e.getMessage().contains("runs/a/adapter-1"),
                e.getMessage());
    }

    @Test
    void svdAtFullRankReproducesTheMerge() {
        List<LoraAdapter> ms = members();
        SvdMerge s = AdapterMerge.svd(ms, 9);
        assertEquals(9, s.adapter().settings().r());
        assertEquals(1.0, s.adapter().settings().scale());
        for (ModuleKey k : s.adapter().modules().keySet()) {
            assertTrue(relErr(poc(ms, k), delta(s.adapter(), k)) < 1e-5, k.toString());
            assertTrue(s.relativeErrors().get(k) < 1e-6, k + ": " + s.relativeErrors().get(k));
        }
        assertEquals(9, AdapterMerge.svd(ms, 500).adapter().settings().r(), "k above R is capped at R");
    }

    @Test
    void svdAtRankKIsTheEckartYoungOptimum() {
        List<LoraAdapter> ms = members();
        int k = 4;
        SvdMerge s = AdapterMerge.svd(ms, k);
        assertEquals(k, s.adapter().settings().r());
        for (ModuleKey key : s.adapter().modules().keySet()) {
            double[][] w = poc(ms, key);
            double[] sigma = new SingularValueDecomposition(new Array2DRowRealMatrix(w)).getSingularValues();
            double all = 0;
            double rest = 0;
            for (int i = 0; i < sigma.length; i++) {
                all += sigma[i] * sigma[i];
                rest += i >= k ? sigma[i] * sigma[i] : 0;
            }
            double optimum = Math.sqrt(rest / all);
            assertTrue(optimum > 0.05, "the test must truncate something: " + optimum);
            assertEquals(optimum, s.relativeErrors().get(key), 1e-7, key + " reported");
            assertEquals(optimum, relErr(w, delta(s.adapter(), key)), 1e-5, key + " achieved");
        }
        assertEquals(s.relativeErrors().values().stream().mapToDouble(d -> d).max().orElseThrow(),
                s.maxRelativeError());
    }

    @Test
    void svdWhenTheMergedRankExceedsAModulesDimensions() {
        // k_proj/v_proj are (16, 32): R = 24 > 16. The rank is capped at 24 (q_proj can hold it), those get zeros.
        List<LoraAdapter> ms = List.of(TestAdapters.random(C, TARGETS, 8, 16, 6), TestAdapters.random(C, TARGETS, 8, 16, 7),
                TestAdapters.random(C, TARGETS, 8, 16, 8));
        SvdMerge s = AdapterMerge.svd(ms, 100);
        assertEquals(24, s.adapter().settings().r());
        for (ModuleKey key : s.adapter().modules().keySet()) {
            assertTrue(relErr(poc(ms, key), delta(s.adapter(), key)) < 1e-5, key.toString());
        }
    }

    @Test
    void svdOfAFreshAdapterIsZeroWithZeroError() {
        LoraAdapter fresh = TestAdapters.random(C, List.of("q_proj"), 2, 4, 9);
        SortedMap<ModuleKey, LoraFactors> zeroB = new TreeMap<>();
        fresh.modules().forEach((k, f) -> zeroB.put(k, new LoraFactors(f.rank(), f.in(), f.out(), f.a(),
                new float[f.b().length])));
        SvdMerge s = AdapterMerge.svd(List.of(new LoraAdapter(fresh.settings(), zeroB)), 1);
        for (Map.Entry<ModuleKey, Double> e : s.relativeErrors().entrySet()) {
            assertEquals(0.0, e.getValue());
            for (float v : AdapterMerge.deltaWeight(s.adapter(), e.getKey())) {
                assertEquals(0f, v);
            }
        }
        assertThrows(PocmergeException.class, () -> AdapterMerge.svd(members(), 0));
    }

    @Test
    void membersThatDisagreeAreRefusedNamingBoth() {
        List<String> labels = List.of("runs/a/adapter-0", "runs/b/adapter-1");
        LoraAdapter qv = TestAdapters.random(C, List.of("q_proj", "v_proj"), 2, 4, 1);
        LoraAdapter qk = TestAdapters.random(C, List.of("q_proj", "k_proj"), 2, 4, 2);
        assertNamesBoth(() -> AdapterMerge.cat(List.of(qv, qk), labels), "different modules");
        LlamaConfig wider = new LlamaConfig(64, 48, 2, 4, 2, 16, 1e-5, 10000, null, 300, false, 2048, List.of(1),
                List.of(2));
        LoraAdapter w = TestAdapters.random(wider, List.of("q_proj", "v_proj"), 2, 4, 3);
        assertNamesBoth(() -> AdapterMerge.cat(List.of(qv, w), labels), "(in, out)");
        LoraAdapter other = new LoraAdapter(new LoraSettings(2, 4, 0, List.of("q_proj", "v_proj"), "meta-llama/x"),
                qv.modules());
        assertNamesBoth(() -> AdapterMerge.cat(List.of(qv, other), labels), "base");
        assertThrows(PocmergeException.class, () -> AdapterMerge.cat(List.of()));
    }

    private static void assertNamesBoth(Runnable r, String mention) {
        PocmergeException e = assertThrows(PocmergeException.class, r::run);
        String m = e.getMessage();
        assertTrue(m.contains("runs/a/adapter-0") && m.contains("runs/b/adapter-1") && m.contains(mention), m);
        assertFalse(m.contains("\n"));
    }
}
