package dev.pocmerge.eval;

import dev.pocmerge.report.Table;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The paper's Table 1 / Table 3 layout: one row per method, one column per set in the paper's order (SIQA, PIQA,
 * WinoGrande, OBQA, ARC-c, ARC-e, BoolQ, HellaSwag), then "Ave." (the mean of the row's set accuracies). Cells
 * are accuracy in percent with two decimals, as the paper prints them; a set a row was not run on is "-".
 */
public final class ComparisonTable {
    /** One method's accuracy (0..1) per set. */
    public record Row(String name, Map<CommonsenseTask, Double> accuracy) {
        public double average() {
            return accuracy.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        }
    }

    private final List<CommonsenseTask> tasks;
    private final List<Row> rows = new ArrayList<>();

    public ComparisonTable(List<CommonsenseTask> tasks) {
        List<CommonsenseTask> ordered = new ArrayList<>();
        for (CommonsenseTask t : CommonsenseTask.values()) {
            if (tasks.contains(t)) {
                ordered.add(t);
            }
        }
        this.tasks = ordered;
    }

    public ComparisonTable add(Row row) {
        rows.add(row);
        return this;
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    /** Per set the mean of the given rows' accuracies ("LoRA (ave.)" of Table 3). */
    public static Row mean(String name, List<Row> of) {
        Map<CommonsenseTask, Double> m = new LinkedHashMap<>();
        for (CommonsenseTask t : of.get(0).accuracy().keySet()) {
            m.put(t, of.stream().mapToDouble(r -> r.accuracy().get(t)).average().orElse(Double.NaN));
        }
        return new Row(name, m);
    }

    /** The row with the best average; the first among equals (the paper's "LoRA (best)" pick). */
    public static Row best(List<Row> of) {
        Row best = of.get(0);
        for (Row r : of) {
            if (r.average() > best.average()) {
                best = r;
            }
        }
        return best;
    }

    private Table table() {
        String[] header = new String[tasks.size() + 2];
        header[0] = "Method";
        for (int i = 0; i < tasks.size(); i++) {
            header[i + 1] = tasks.get(i).column();
        }
        header[header.length - 1] = "Ave.";
        Table t = new Table(header);
        for (Row r : rows) {
            Object[] cells = new Object[header.length];
            cells[0] = r.name();
            for (int i = 0; i < tasks.size(); i++) {
                Double a = r.accuracy().get(tasks.get(i));
                cells[i + 1] = a == null ? "-" : percent(a);
            }
            cells[cells.length - 1] = percent(r.average());
            t.row(cells);
        }
        return t;
    }

    static String percent(double a) {
        return Double.isNaN(a) ? "-" : String.format(java.util.Locale.ROOT, "%.2f", 100 * a);
    }

    public String markdown() {
        return table().markdown();
    }

    public String csv() {
        return table().csv();
    }

    public String text() {
        return table().text();
    }

    /** {"columns": [...], "rows": [{"name", "accuracy": {folder: acc}, "average"}]}, accuracies in 0..1. */
    public Map<String, Object> toJson() {
        Map<String, Object> o = new LinkedHashMap<>();
        List<String> cols = new ArrayList<>();
        tasks.forEach(t -> cols.add(t.folder()));
        o.put("columns", cols);
        List<Map<String, Object>> rs = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", r.name());
            Map<String, Object> acc = new LinkedHashMap<>();
            for (CommonsenseTask t : tasks) {
                acc.put(t.folder(), r.accuracy().get(t));
            }
            m.put("accuracy", acc);
            m.put("average", r.average());
            rs.add(m);
        }
        o.put("rows", rs);
        return o;
    }
}
