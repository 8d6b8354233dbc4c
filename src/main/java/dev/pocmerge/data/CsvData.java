package dev.pocmerge.data;

import dev.pocmerge.core.PocmergeException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A user's CSV: numeric features, the label in the last column, an optional header line (a first line with no
 * numeric field). Labels that are all in {−1, +1} (or {0, 1}, mapped to ±1) make a classification task, anything
 * else regression. Rows are shuffled with the seed and split 80/20.
 */
public final class CsvData {
    private CsvData() {}

    public static Dataset load(Path file, long seed) {
        List<double[]> rows = new ArrayList<>();
        int width = -1;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split(",", -1);
                if (rows.isEmpty() && width < 0 && isHeader(parts)) {
                    width = parts.length;
                    continue;
                }
                if (width < 0) {
                    width = parts.length;
                }
                if (width < 2) {
                    throw new PocmergeException(file + ": line " + lineNo + ": need at least one feature and a label"
                            + " column");
                }
                if (parts.length != width) {
                    throw new PocmergeException(file + ": line " + lineNo + ": " + parts.length + " fields, expected "
                            + width);
                }
                double[] row = new double[width];
                for (int c = 0; c < width; c++) {
                    row[c] = parse(file, lineNo, c, parts[c]);
                }
                rows.add(row);
            }
        } catch (NoSuchFileException e) {
            throw new PocmergeException(file + ": file not found");
        } catch (IOException e) {
            throw new PocmergeException(file + ": cannot read (" + e.getMessage() + ")");
        }
        if (rows.size() < 5) {
            throw new PocmergeException(file + ": " + rows.size() + " data rows; need at least 5 to split 80/20");
        }
        int d = width - 1;
        int n = rows.size();
        float[] z = new float[n * d];
        float[] y = new float[n];
        boolean pm1 = true;
        boolean zeroOne = true;
        for (int i = 0; i < n; i++) {
            double[] row = rows.get(i);
            for (int j = 0; j < d; j++) {
                z[i * d + j] = (float) row[j];
            }
            double lab = row[d];
            y[i] = (float) lab;
            pm1 &= lab == 1.0 || lab == -1.0;
            zeroOne &= lab == 1.0 || lab == 0.0;
        }
        Dataset.Kind kind = pm1 || zeroOne ? Dataset.Kind.CLASSIFICATION : Dataset.Kind.REGRESSION;
        if (!pm1 && zeroOne) {
            for (int i = 0; i < n; i++) {
                y[i] = y[i] == 0f ? -1f : 1f;
            }
        }
        String name = file.getFileName().toString();
        return Dataset.split(name, kind, d, z, y, 0.8, new Random(seed));
    }

    private static boolean isHeader(String[] parts) {
        for (String p : parts) {
            try {
                Double.parseDouble(p.trim());
                return false;
            } catch (NumberFormatException e) {
                // not a number: keep looking
            }
        }
        return true;
    }

    private static double parse(Path file, int lineNo, int col, String field) {
        String s = field.trim();
        if (s.isEmpty()) {
            throw new PocmergeException(file + ": line " + lineNo + ", column " + (col + 1) + ": missing value");
        }
        double v;
        try {
            v = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new PocmergeException(file + ": line " + lineNo + ", column " + (col + 1) + ": '" + s
                    + "' is not a number");
        }
        if (!Double.isFinite(v)) {
            throw new PocmergeException(file + ": line " + lineNo + ", column " + (col + 1) + ": " + s
                    + " is not finite");
        }
        return v;
    }
}
