package dev.pocmerge.report;

import dev.pocmerge.core.AtomicFiles;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG plots via XChart, rendered off-screen and written atomically (temp file, then move). */
public final class Plots {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Plots() {}

    /** One line of a line chart. */
    public record Line(String name, double[] x, double[] y) {}

    /** One panel of a small-multiples figure. */
    public record Panel(String title, List<Line> lines) {}

    /**
     * A heat map of {@code values[row][col]} (NaN cells left blank), rows along the y axis bottom-up, like the
     * paper's Figure 1.
     */
    public static void heatmap(Path file, String title, String xTitle, List<?> xLabels, String yTitle,
            List<?> yLabels, double[][] values, String valueFormat) {
        HeatMapChart chart = new HeatMapChartBuilder().width(1000).height(640).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        List<Number[]> cells = new ArrayList<>();
        for (int r = 0; r < values.length; r++) {
            for (int c = 0; c < values[r].length; c++) {
                double v = values[r][c];
                if (Double.isFinite(v)) {
                    cells.add(new Number[] {c, r, v});
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        if (!(min < max)) {
            min = min - 0.5;
            max = max + 0.5;
        }
        // the colour legend prints min and max with Double.toString: round them to two decimals
        min = Math.floor(min * 100) / 100;
        max = Math.ceil(max * 100) / 100;
        chart.getStyler().setMin(min).setMax(max).setShowValue(true)
                .setValueFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN,
                        values[0].length <= 12 ? 14 : 10))
                .setHeatMapValueDecimalPattern(valueFormat).setDrawBorder(false)
                .setRangeColors(new Color[] {new Color(0x2c, 0x1e, 0x5f), new Color(0x21, 0x91, 0x8c),
                    new Color(0xfd, 0xe7, 0x25)})
                .setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.addSeries(title, new ArrayList<>(xLabels), new ArrayList<>(yLabels), cells);
        write(file, image(chart));
    }

    /** Line charts, one panel per entry, laid out in a grid of {@code columns}; every panel shares the legend. */
    public static void panels(Path file, String title, String xTitle, String yTitle, List<Panel> panels,
            int columns) {
        panels(file, title, xTitle, yTitle, panels, columns, "0", Styler.LegendPosition.InsideNE);
    }

    /**
     * The same with the x axis' tick labels in {@code xPattern} (a DecimalFormat pattern, e.g. "0.0") and each
     * legend at {@code legend} (OutsideS: a horizontal row under the chart).
     */
    public static void panels(Path file, String title, String xTitle, String yTitle, List<Panel> panels,
            int columns, String xPattern, Styler.LegendPosition legend) {
        int w = 520;
        int h = 380;
        int rows = (panels.size() + columns - 1) / columns;
        int head = 40;
        BufferedImage out = new BufferedImage(w * columns, head + h * rows, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(g.getFont().deriveFont(18f));
        g.drawString(title, 16, 28);
        for (int i = 0; i < panels.size(); i++) {
            XYChart chart = lineChart(panels.get(i), xTitle, yTitle, w, h, xPattern);
            chart.getStyler().setLegendPosition(legend);
            if (legend == Styler.LegendPosition.OutsideS) {
                chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
            }
            g.drawImage(image(chart), (i % columns) * w, head + (i / columns) * h, null);
        }
        g.dispose();
        write(file, out);
    }

    /** One series of {@link #xy}: joined by a line, or points only. */
    public record Series(String name, double[] x, double[] y, boolean points) {}

    /** One XY chart (optionally log–log): lines and point clouds, e.g. predicted vs measured with a diagonal. */
    public static void xy(Path file, String title, String xTitle, String yTitle, List<Series> series, boolean logX,
            boolean logY) {
        XYChart chart = new XYChartBuilder().width(900).height(640).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW).setChartBackgroundColor(Color.WHITE)
                .setMarkerSize(7);
        chart.getStyler().setXAxisLogarithmic(logX).setYAxisLogarithmic(logY);
        for (Series s : series) {
            org.knowm.xchart.XYSeries xs = chart.addSeries(s.name(), s.x(), s.y());
            if (s.points()) {
                xs.setXYSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
                xs.setMarker(SeriesMarkers.CIRCLE);
            } else {
                xs.setMarker(SeriesMarkers.NONE);
            }
        }
        write(file, image(chart));
    }

    private static XYChart lineChart(Panel p, String xTitle, String yTitle, int w, int h, String xPattern) {
        XYChart chart = new XYChartBuilder().width(w).height(h).title(p.title()).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE).setChartBackgroundColor(Color.WHITE)
                .setMarkerSize(6);
        chart.getStyler().setXAxisDecimalPattern(xPattern);
        for (Line l : p.lines()) {
            chart.addSeries(l.name(), l.x(), l.y()).setMarker(SeriesMarkers.CIRCLE);
        }
        return chart;
    }

    private static BufferedImage image(Chart<?, ?> chart) {
        return BitmapEncoder.getBufferedImage(chart);
    }

    private static void write(Path file, BufferedImage img) {
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(img, "png", out)) {
                throw new java.io.IOException("no PNG writer");
            }
        });
    }
}
