package dev.pocmerge.experiments.plan;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.pocmerge.core.Json;
import dev.pocmerge.core.PocmergeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A measured sup-norm grid as {@code supnorm} writes it ({@code supnorm.csv}: {@code N,M,sup_norm_mean,...}), and
 * the entropy weight λ it was trained with (from the {@code results.json} beside it, unless given).
 */
public record SupnormGrid(Path file, double lambda, List<Cell> cells) {
    /** One measured cell: M networks of N neurons merged, mean sup-norm to the N∞ net. */
    public record Cell(int n, int m, double supNorm) {
        public long k() {
            return (long) m * n;
        }
    }

    public SupnormGrid {
        cells = List.copyOf(cells);
    }

    /** Reads {@code csv}; {@code lambda} null means: take it from {@code results.json} in the same folder. */
    public static SupnormGrid read(Path csv, Double lambda) {
        List<String> lines;
        try {
            if (!Files.isRegularFile(csv)) {
                throw new PocmergeException("--supnorm " + csv + ": " + (Files.exists(csv) ? "not a regular file"
                        : "file not found") + " (a supnorm.csv written by `pocmerge supnorm`)");
            }
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new PocmergeException("--supnorm " + csv + ": file not found");
        } catch (IOException e) {
            throw new PocmergeException("--supnorm " + csv + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (lines.isEmpty() || !lines.get(0).trim().startsWith("N,M,sup_norm_mean")) {
            throw new PocmergeException("--supnorm " + csv + ": line 1 must be the header N,M,sup_norm_mean[,...]"
                    + " of a supnorm.csv");
        }
        List<Cell> cells = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String l = lines.get(i).trim();
            if (l.isEmpty()) {
                continue;
            }
            String[] f = l.split(",");
            try {
                int n = Integer.parseInt(f[0].trim());
                int m = Integer.parseInt(f[1].trim());
                double s = Double.parseDouble(f[2].trim());
                if (n <= 0 || m <= 0 || !(s > 0) || !Double.isFinite(s)) {
                    throw new NumberFormatException("N, M must be > 0 and sup_norm_mean finite and > 0");
                }
                cells.add(new Cell(n, m, s));
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                throw new PocmergeException("--supnorm " + csv + ": line " + (i + 1) + " '" + l
                        + "' is not N,M,sup_norm_mean (" + e.getMessage() + ")");
            }
        }
        if (cells.size() < 4) {
            throw new PocmergeException("--supnorm " + csv + ": " + cells.size()
                    + " cells; fitting three constants and validating needs at least 4");
        }
        double lam = lambda != null ? lambda : lambdaBeside(csv);
        if (!(lam > 0) || !Double.isFinite(lam)) {
            throw new PocmergeException("--lambda: must be a finite number > 0 (the bound divides by λ), got "
                    + String.format(Locale.ROOT, "%s", lam));
        }
        return new SupnormGrid(csv, lam, cells);
    }

    private static double lambdaBeside(Path csv) {
        Path parent = csv.toAbsolutePath().getParent();
        Path results = parent.resolve("results.json");
        if (!Files.isRegularFile(results)) {
            throw new PocmergeException("--supnorm " + csv + ": no results.json beside it to read λ from; give --lambda");
        }
        JsonElement e = Json.read(results);
        if (!e.isJsonObject() || !((JsonObject) e).has("lambda") || !((JsonObject) e).get("lambda").isJsonPrimitive()) {
            throw new PocmergeException(results + ": field 'lambda' missing; give --lambda");
        }
        return ((JsonObject) e).get("lambda").getAsDouble();
    }
}
