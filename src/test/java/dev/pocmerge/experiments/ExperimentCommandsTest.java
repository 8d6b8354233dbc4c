package dev.pocmerge.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.pocmerge.cli.Main;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The supnorm and lambda-sweep commands end to end through {@code Main.run}, on reduced grids. */
class ExperimentCommandsTest {
    @TempDir
    Path tmp;

    /**
     * Untrained nets also converge to their (untrained) limit as M·N grows, so "error falls" alone passes with 0
     * steps: the same grid is also run untrained, and training must lower the reference's and every merged net's
     * loss and every cell's sup-norm. Measured (seed 0): reference train loss 0.691 untrained → 0.551 trained;
     * sup-norm at (N=50, M=1) 1.28 → 0.252, at (N=200, M=8) 0.452 → 0.068.
     */
    @Test
    void quickSupnormOnCirclesWritesTheGridAndAHeatmapAndErrorFallsBelowTheUntrainedGrid() throws Exception {
        Path out = tmp.resolve("supnorm");
        Map<String, double[]> cell = supnorm(out, 50);
        Map<String, double[]> untrained = supnorm(tmp.resolve("supnorm-0"), 0);
        assertTrue(cell.containsKey("50,1") && cell.containsKey("200,8"));
        assertEquals(0.0, cell.get("200,8")[1], 0.0, "M = M_max has one subset");
        assertTrue(cell.get("200,8")[0] < cell.get("50,1")[0] / 2, "error at (N=200, M=8) below half (N=50, M=1)");
        for (Map.Entry<String, double[]> e : cell.entrySet()) {
            double before = untrained.get(e.getKey())[0];
            assertTrue(e.getValue()[0] < before / 2, "(N,M)=(" + e.getKey() + "): trained " + e.getValue()[0]
                    + " vs untrained " + before);
        }
        JsonObject trained = results(out);
        JsonObject start = results(tmp.resolve("supnorm-0"));
        double ref1 = trained.getAsJsonObject("reference").get("train_loss").getAsDouble();
        double ref0 = start.getAsJsonObject("reference").get("train_loss").getAsDouble();
        assertEquals(Math.log(2), ref0, 0.02, "untrained reference is at chance");
        assertTrue(ref1 < ref0 - 0.1, "reference train loss " + ref1 + " vs untrained " + ref0);
        JsonArray merged1 = trained.getAsJsonArray("merged_all_by_N");
        JsonArray merged0 = start.getAsJsonArray("merged_all_by_N");
        assertEquals(3, merged1.size());
        for (int i = 0; i < merged1.size(); i++) {
            double l1 = merged1.get(i).getAsJsonObject().get("train_loss").getAsDouble();
            double l0 = merged0.get(i).getAsJsonObject().get("train_loss").getAsDouble();
            assertTrue(l1 < l0 - 0.1, "merged N #" + i + ": " + l1 + " vs untrained " + l0);
        }
        BufferedImage png = ImageIO.read(out.resolve("supnorm.png").toFile());
        assertTrue(png != null && png.getWidth() >= 800 && png.getHeight() >= 500, "heat map decodes");
        String readme = Files.readString(out.resolve("README.md"));
        assertTrue(readme.contains("supnorm --quick --task circles"), "README names the command");
    }

    /** --quick (N ∈ {50,100,200}, M_max=8, 20 resamples) with a smaller reference and T to keep the suite short. */
    private static Map<String, double[]> supnorm(Path out, int steps) throws Exception {
        int rc = Main.run("supnorm", "--quick", "--task", "circles", "--n-inf", "1000", "--steps", "" + steps,
                "--device", "cpu", "--json", "--out", out.toString());
        assertEquals(0, rc);
        List<String> lines = Files.readAllLines(out.resolve("supnorm.csv"));
        assertEquals("N,M,sup_norm_mean,sup_norm_std", lines.get(0));
        assertEquals(1 + 3 * 8, lines.size());
        Map<String, double[]> cell = new HashMap<>();
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split(",");
            double mean = Double.parseDouble(f[2]);
            double std = Double.parseDouble(f[3]);
            assertTrue(mean > 0 && Double.isFinite(mean) && std >= 0, l);
            cell.put(f[0] + "," + f[1], new double[] {mean, std});
        }
        return cell;
    }

    private static JsonObject results(Path out) throws Exception {
        return JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonObject();
    }

    @Test
    void tinyLambdaSweepWritesFiniteTable2() throws Exception {
        Path out = tmp.resolve("sweep");
        int rc = Main.run("lambda-sweep", "--lambdas", "0.1,0.001", "--n-list", "20,40", "--M", "3", "--epochs",
                "2", "--batch-size", "100", "--device", "cpu", "--json", "--out", out.toString());
        assertEquals(0, rc);
        List<String> lines = Files.readAllLines(out.resolve("table2.csv"));
        assertEquals(1 + 4, lines.size());
        for (String l : lines.subList(1, lines.size())) {
            for (String f : l.split(",")) {
                assertTrue(Double.isFinite(Double.parseDouble(f)), l);
            }
        }
        assertEquals(1 + 4 * 3, Files.readAllLines(out.resolve("figure2.csv")).size(), "epochs 0..2 per cell");
        assertTrue(Files.readString(out.resolve("table2.md")).startsWith("| λ \\ N | 20 | 40 |"));
        BufferedImage png = ImageIO.read(out.resolve("figure2.png").toFile());
        assertTrue(png != null && png.getWidth() > 500, "figure decodes");
    }

    @Test
    void badOptionsExitWithTwo() {
        Path out = tmp.resolve("bad");
        assertEquals(2, Main.run("supnorm", "--n-list", "", "--out", out.toString()));
        assertEquals(2, Main.run("supnorm", "--m-max", "0", "--out", out.toString()));
        assertEquals(2, Main.run("supnorm", "--resamples", "0", "--out", out.toString()));
        assertEquals(2, Main.run("supnorm", "--n-list", "50,-1", "--out", out.toString()));
        assertEquals(2, Main.run("supnorm", "--task", "spirals", "--out", out.toString()));
        assertEquals(2, Main.run("lambda-sweep", "--M", "0", "--out", out.toString()));
        assertEquals(2, Main.run("lambda-sweep", "--epochs", "0", "--out", out.toString()));
        assertEquals(2, Main.run("lambda-sweep", "--lambdas", "-0.1", "--out", out.toString()));
        assertTrue(!Files.exists(out), "no run folder for rejected options");
    }
}
