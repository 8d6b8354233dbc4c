package dev.pocmerge.experiments.fp;

import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.core.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Langevin particles against the Fokker–Planck equation from the same initial law (the seed report's Figure 13):
 * for each potential, the FP density by {@link FokkerPlanck1d} and, for each N, several independent particle
 * systems; W1 between each particle set and the FP density over time. At large t both sit at the Gibbs law and
 * W1 falls to the sampling floor of N draws, ≈ sqrt(2/(πN))·∫sqrt(F(1−F)), i.e. ∝ 1/√N.
 */
public final class ParticlesVsFp {
    private ParticlesVsFp() {}

    /** One potential's run: temperature λ, initial law N(mean, std²), time horizon. */
    public record Case(Potential potential, double lambda, double initMean, double initStd, double tEnd) {}

    public record Settings(List<Case> cases, List<Integer> nList, int repeats, double dt, double fpDt,
            double domain, int cells, double every, long seed) {
        public Settings {
            cases = List.copyOf(cases);
            nList = List.copyOf(nList);
            if (nList.isEmpty() || nList.stream().anyMatch(n -> n <= 0)) {
                throw new PocmergeException("--n-list: every N must be > 0, got " + nList);
            }
            if (repeats <= 0) {
                throw new PocmergeException("--repeats: must be > 0, got " + repeats);
            }
            if (!(dt > 0) || !(fpDt > 0) || !(every >= dt)) {
                throw new PocmergeException("--dt: must be > 0 and at most the snapshot interval, got " + dt);
            }
            if (cells < 10) {
                throw new PocmergeException("--cells: the FP grid needs at least 10 cells, got " + cells);
            }
        }

        public static Settings standard(long seed) {
            return new Settings(List.of(new Case(Potential.QUADRATIC, 0.5, 2.0, 0.25, 5),
                    new Case(Potential.DOUBLE_WELL, 0.25, 1.5, 0.25, 25)), List.of(100, 1000, 10000), 4, 0.005,
                    0.005, 4.0, 800, 0.05, seed);
        }

        public int snapshots(Case c) {
            return (int) Math.round(c.tEnd() / every);
        }

        public long totalWork() {
            long w = 0;
            for (Case c : cases) {
                w += snapshots(c);
            }
            return w;
        }
    }

    /**
     * One potential's outcome. {@code w1[n][r][k]}: W1 of repeat r of nList[n] at time times[k]; {@code fp[k]}
     * the FP density then; {@code hist[k]} the density of the first repeat of the largest N, as cell averages
     * over bins of 10 FP cells.
     */
    public record CaseResult(Case c, double[] times, double[][][] w1, double[][] fp, double[][] hist,
            double[] gibbs, double fpMassDrift, double fpGibbsL1, double[] expectedFloor, double[] measuredFloor) {}

    public record Result(Settings settings, List<CaseResult> cases, double seconds) {}

    public static Result run(Settings s, IntConsumer progress) {
        long t0 = System.nanoTime();
        List<CaseResult> out = new ArrayList<>();
        int done = 0;
        for (int ci = 0; ci < s.cases().size(); ci++) {
            final int base = done;
            out.add(runCase(s, ci, k -> progress.accept(base + k)));
            done += s.snapshots(s.cases().get(ci));
        }
        return new Result(s, out, (System.nanoTime() - t0) / 1e9);
    }

    static CaseResult runCase(Settings s, int ci, IntConsumer progress) {
        Case c = s.cases().get(ci);
        FokkerPlanck1d fp = new FokkerPlanck1d(c.potential(), c.lambda(), -s.domain(), s.domain(), s.cells());
        fp.setGaussian(c.initMean(), c.initStd());
        double mass0 = fp.mass();
        int snaps = s.snapshots(c);
        int nn = s.nList().size();
        List<List<LangevinParticles>> systems = new ArrayList<>();
        for (int n = 0; n < nn; n++) {
            List<LangevinParticles> reps = new ArrayList<>();
            for (int r = 0; r < s.repeats(); r++) {
                long seed = Seeds.derive(Seeds.derive(Seeds.derive(s.seed(), ci), s.nList().get(n)), r);
                reps.add(new LangevinParticles(c.potential(), c.lambda(), s.nList().get(n), c.initMean(),
                        c.initStd(), seed));
            }
            systems.add(reps);
        }
        double[] times = new double[snaps + 1];
        double[][][] w1 = new double[nn][s.repeats()][snaps + 1];
        double[][] fpSnap = new double[snaps + 1][];
        double[][] hist = new double[snaps + 1][];
        int pSteps = (int) Math.round(s.every() / s.dt());
        int fSteps = (int) Math.round(s.every() / s.fpDt());
        double massDrift = 0;
        for (int k = 0; k <= snaps; k++) {
            if (k > 0) {
                for (int j = 0; j < fSteps; j++) {
                    fp.step(s.fpDt());
                }
                for (List<LangevinParticles> reps : systems) {
                    for (LangevinParticles p : reps) {
                        for (int j = 0; j < pSteps; j++) {
                            p.step(s.dt());
                        }
                    }
                }
            }
            times[k] = k * s.every();
            massDrift = Math.max(massDrift, Math.abs(fp.mass() - mass0));
            double[] rho = fp.density();
            fpSnap[k] = rho;
            for (int n = 0; n < nn; n++) {
                for (int r = 0; r < s.repeats(); r++) {
                    double[] xs = systems.get(n).get(r).sorted();
                    w1[n][r][k] = Wasserstein1d.w1(xs, fp.left(), fp.h(), rho);
                    if (n == nn - 1 && r == 0) {
                        hist[k] = histogram(xs, fp.left(), fp.h() * 10, s.cells() / 10);
                    }
                }
            }
            progress.accept(k);
        }
        double[] gibbs = fp.gibbs();
        double[] expected = new double[nn];
        double[] measured = new double[nn];
        int from = (int) Math.ceil(0.8 * snaps);
        for (int n = 0; n < nn; n++) {
            expected[n] = Wasserstein1d.expectedFloor(s.nList().get(n), fp.left(), fp.h(), gibbs);
            double sum = 0;
            int cnt = 0;
            for (int r = 0; r < s.repeats(); r++) {
                for (int k = from; k <= snaps; k++) {
                    sum += w1[n][r][k];
                    cnt++;
                }
            }
            measured[n] = sum / cnt;
        }
        return new CaseResult(c, times, w1, fpSnap, hist, gibbs, massDrift, fp.l1(gibbs), expected, measured);
    }

    /** Density of {@code sorted} as averages over {@code bins} bins of width {@code w} from {@code a}. */
    static double[] histogram(double[] sorted, double a, double w, int bins) {
        double[] hgram = new double[bins];
        for (double x : sorted) {
            int b = (int) Math.floor((x - a) / w);
            if (b >= 0 && b < bins) {
                hgram[b] += 1.0 / (sorted.length * w);
            }
        }
        return hgram;
    }

    /** Mean over repeats of W1 at every snapshot. */
    public static double[] meanW1(CaseResult r, int n) {
        double[] m = new double[r.times().length];
        for (double[] rep : r.w1()[n]) {
            for (int k = 0; k < m.length; k++) {
                m[k] += rep[k] / r.w1()[n].length;
            }
        }
        return m;
    }
}
