package dev.pocmerge.data;

/**
 * A supervised dataset already split into train and test. Features are row-major {@code float[n·d]}; labels are
 * ±1 for classification, real for regression.
 */
public record Dataset(String name, Kind kind, int d, float[] zTrain, float[] yTrain, float[] zTest, float[] yTest) {
    public enum Kind {
        CLASSIFICATION, REGRESSION
    }

    public Dataset {
        if (zTrain.length != yTrain.length * d || zTest.length != yTest.length * d) {
            throw new IllegalArgumentException("features do not match labels × d");
        }
    }

    public int nTrain() {
        return yTrain.length;
    }

    public int nTest() {
        return yTest.length;
    }

    public boolean isClassification() {
        return kind == Kind.CLASSIFICATION;
    }

    /** Shuffles rows with {@code rng} and keeps the first {@code round(trainFraction·n)} for training. */
    static Dataset split(String name, Kind kind, int d, float[] z, float[] y, double trainFraction,
            java.util.Random rng) {
        int n = y.length;
        int[] perm = dev.pocmerge.core.Shuffle.identity(n);
        dev.pocmerge.core.Shuffle.shuffle(perm, rng);
        int nTr = (int) Math.round(trainFraction * n);
        float[] ztr = new float[nTr * d];
        float[] ytr = new float[nTr];
        float[] zte = new float[(n - nTr) * d];
        float[] yte = new float[n - nTr];
        for (int k = 0; k < n; k++) {
            int src = perm[k];
            if (k < nTr) {
                System.arraycopy(z, src * d, ztr, k * d, d);
                ytr[k] = y[src];
            } else {
                System.arraycopy(z, src * d, zte, (k - nTr) * d, d);
                yte[k - nTr] = y[src];
            }
        }
        return new Dataset(name, kind, d, ztr, ytr, zte, yte);
    }
}
