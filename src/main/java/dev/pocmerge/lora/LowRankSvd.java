package dev.pocmerge.lora;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocmerge.core.Engines;
import dev.pocmerge.core.Tensors;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;

/**
 * Best rank-k approximation of ΔW = B·A (B (out, R), A (R, in), scale 1) without forming the (out, in) matrix.
 * The thin factorisations B = U_B·S_B·V_Bᵀ and Aᵀ = U_A·S_A·V_Aᵀ come from the eigen-decompositions of the R×R
 * Gram matrices BᵀB and A·Aᵀ (the R factor of a thin QR up to a rotation). DJL has no QR, and a Java Householder
 * QR of a 11008×256 factor takes seconds per module; the two Gram GEMMs run in libtorch in float64, which resolves
 * singular values down to ~1e-6 of the largest (smaller ones are dropped as noise). Then
 * ΔW = U_B·K·U_Aᵀ with the small core K = S_B·V_Bᵀ·V_A·S_A; K's SVD gives ΔW's singular values and vectors.
 * Cost O((in + out)·R²).
 */
final class LowRankSvd {
    /** Eigenvalues below this fraction of the largest are noise of the float64 Gram (σ below ~1e-6·σ_max). */
    private static final double DROP = 1e-12;

    record Result(LoraFactors factors, double relativeError) {}

    private LowRankSvd() {}

    /** Thin factor basis of a Gram matrix: columns V·diag(1/√λ) (R×p) and √λ (p), for λ above the noise floor. */
    private record Basis(double[][] vOverS, double[] s) {
        int size() {
            return s.length;
        }
    }

    static Result truncate(LoraFactors f, int k) {
        int rank = f.rank();
        Engines.pytorch();
        try (NDManager nd = NDManager.newBaseManager(Device.cpu())) {
            NDArray a = Tensors.of(nd, f.a(), new Shape(rank, f.in()), DataType.FLOAT64);
            NDArray b = Tensors.of(nd, f.b(), new Shape(f.out(), rank), DataType.FLOAT64);
            Basis bs = basis(b.transpose().matMul(b).toDoubleArray(), rank);
            Basis as = basis(a.matMul(a.transpose()).toDoubleArray(), rank);
            int p = bs.size();
            int q = as.size();
            int s = Math.min(p, q);
            double[] sigma = new double[0];
            double[][] tb = new double[rank][k]; // B_k = B·T_B
            double[][] ta = new double[k][rank]; // A_k = T_A·A
            if (s > 0) {
                SingularValueDecomposition svd = new SingularValueDecomposition(core(bs, as, rank));
                sigma = svd.getSingularValues();
                RealMatrix x = svd.getU(); // p × s
                RealMatrix y = svd.getV(); // q × s
                for (int c = 0; c < Math.min(k, sigma.length); c++) {
                    double rs = Math.sqrt(sigma[c]); // split σ evenly between B_k and A_k
                    for (int i = 0; i < rank; i++) {
                        double vb = 0;
                        for (int j = 0; j < p; j++) {
                            vb += bs.vOverS()[i][j] * x.getEntry(j, c);
                        }
                        tb[i][c] = vb * rs;
                        double va = 0;
                        for (int j = 0; j < q; j++) {
                            va += as.vOverS()[i][j] * y.getEntry(j, c);
                        }
                        ta[c][i] = va * rs;
                    }
                }
            }
            NDArray bk = b.matMul(Tensors.of(nd, flat(tb), new Shape(rank, k), DataType.FLOAT64));
            NDArray ak = Tensors.of(nd, flat(ta), new Shape(k, rank), DataType.FLOAT64).matMul(a);
            LoraFactors out = new LoraFactors(k, f.in(), f.out(), ak.toType(DataType.FLOAT32, false).toFloatArray(),
                    bk.toType(DataType.FLOAT32, false).toFloatArray());
            return new Result(out, relativeError(sigma, k));
        }
    }

    /** ‖ΔW − ΔW_k‖_F / ‖ΔW‖_F = √(Σ_{i≥k} σ_i²) / √(Σ σ_i²) (Eckart–Young); 0 for ΔW = 0. */
    static double relativeError(double[] sigma, int k) {
        double all = 0;
        double rest = 0;
        for (int i = 0; i < sigma.length; i++) {
            all += sigma[i] * sigma[i];
            if (i >= k) {
                rest += sigma[i] * sigma[i];
            }
        }
        return all == 0 ? 0 : Math.sqrt(rest / all);
    }

    /** K = S_B·V_Bᵀ·V_A·S_A (p×q), with V·S recovered as (V/S)·S². */
    private static RealMatrix core(Basis bs, Basis as, int rank) {
        double[][] k = new double[bs.size()][as.size()];
        for (int i = 0; i < bs.size(); i++) {
            double si = bs.s()[i] * bs.s()[i];
            for (int j = 0; j < as.size(); j++) {
                double sj = as.s()[j] * as.s()[j];
                double dot = 0;
                for (int r = 0; r < rank; r++) {
                    dot += bs.vOverS()[r][i] * as.vOverS()[r][j];
                }
                k[i][j] = dot * si * sj;
            }
        }
        return new Array2DRowRealMatrix(k, false);
    }

    private static Basis basis(double[] gram, int rank) {
        double[][] g = new double[rank][rank];
        for (int i = 0; i < rank; i++) {
            for (int j = 0; j < rank; j++) {
                g[i][j] = 0.5 * (gram[i * rank + j] + gram[j * rank + i]); // exactly symmetric for the solver
            }
        }
        EigenDecomposition eig = new EigenDecomposition(new Array2DRowRealMatrix(g, false));
        double[] lambda = eig.getRealEigenvalues();
        double max = 0;
        for (double l : lambda) {
            max = Math.max(max, l);
        }
        int kept = 0;
        for (double l : lambda) {
            if (max > 0 && l > DROP * max) {
                kept++;
            }
        }
        double[][] v = new double[rank][kept];
        double[] s = new double[kept];
        int c = 0;
        for (int e = 0; e < lambda.length; e++) {
            if (max > 0 && lambda[e] > DROP * max) {
                s[c] = Math.sqrt(lambda[e]);
                double[] col = eig.getEigenvector(e).toArray();
                for (int i = 0; i < rank; i++) {
                    v[i][c] = col[i] / s[c];
                }
                c++;
            }
        }
        return new Basis(v, s);
    }

    private static double[] flat(double[][] m) {
        int cols = m.length == 0 ? 0 : m[0].length;
        double[] out = new double[m.length * cols];
        for (int i = 0; i < m.length; i++) {
            System.arraycopy(m[i], 0, out, i * cols, cols);
        }
        return out;
    }
}
