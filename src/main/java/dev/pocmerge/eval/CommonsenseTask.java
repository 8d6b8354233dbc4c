package dev.pocmerge.eval;

import dev.pocmerge.core.PocmergeException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The commonsense test sets in LLM-Adapters' layout ({@code <data-dir>/<folder>/test.json}), each with the answer
 * labels its extraction regex accepts (commonsense_evaluate.py's {@code extract_answer}, in its order) and the
 * choices a row has when its instruction does not end in an "Answer format: a/b/c" line. The enum order is the
 * paper's column order (Tables 1 and 3); {@link #MINI} is our generated demo set, never part of {@code all}.
 */
public enum CommonsenseTask {
    SIQA("social_i_qa", "SIQA", answers(5), answers(3)),
    PIQA("piqa", "PIQA", List.of("solution1", "solution2"), null),
    WINOGRANDE("winogrande", "WinoGrande", List.of("option1", "option2"), null),
    OBQA("openbookqa", "OBQA", answers(5), answers(4)),
    ARC_C("ARC-Challenge", "ARC-c", answers(5), answers(4)),
    ARC_E("ARC-Easy", "ARC-e", answers(5), answers(4)),
    BOOLQ("boolq", "BoolQ", List.of("true", "false"), null),
    HELLASWAG("hellaswag", "HellaSwag", List.of("ending1", "ending2", "ending3", "ending4"), null),
    MINI("mini-commonsense", "mini", answers(5), answers(3));

    private final String folder;
    private final String column;
    private final List<String> labels;
    private final List<String> defaultChoices;
    private final Pattern pattern;

    CommonsenseTask(String folder, String column, List<String> labels, List<String> defaultChoices) {
        this.folder = folder;
        this.column = column;
        this.labels = List.copyOf(labels);
        this.defaultChoices = defaultChoices == null ? this.labels : List.copyOf(defaultChoices);
        // re.findall(r'answer1|answer2|...', sentence)[0]: the leftmost match, alternatives tried in this order
        this.pattern = Pattern.compile(labels.stream().map(Pattern::quote).collect(Collectors.joining("|")));
    }

    /** The folder (and {@code --dataset} name) LLM-Adapters uses. */
    public String folder() {
        return folder;
    }

    /** The paper's column header. */
    public String column() {
        return column;
    }

    /** Every label the extraction accepts. */
    public List<String> labels() {
        return labels;
    }

    /** Choices of a row whose instruction lists none. */
    public List<String> defaultChoices() {
        return defaultChoices;
    }

    public Pattern pattern() {
        return pattern;
    }

    /** The eight sets of the paper, in its column order. */
    public static List<CommonsenseTask> paper() {
        return Arrays.stream(values()).filter(t -> t != MINI).toList();
    }

    /** {@code all}, or a comma list of folder names or column names (case-insensitive), in the given order. */
    public static List<CommonsenseTask> parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new PocmergeException("--tasks: give 'all' or a comma list of " + names());
        }
        if (spec.trim().equalsIgnoreCase("all")) {
            return paper();
        }
        LinkedHashSet<CommonsenseTask> out = new LinkedHashSet<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            out.add(byName(p));
        }
        if (out.isEmpty()) {
            throw new PocmergeException("--tasks '" + spec + "': no task named; choose from " + names());
        }
        return new ArrayList<>(out);
    }

    public static CommonsenseTask byName(String name) {
        for (CommonsenseTask t : values()) {
            if (t.folder.equalsIgnoreCase(name) || t.column.equalsIgnoreCase(name)) {
                return t;
            }
        }
        throw new PocmergeException("unknown task '" + name + "'; choose from " + names() + " (or all)");
    }

    /** The names in commonsense_evaluate.py's --dataset order, then ours. */
    private static String names() {
        return Stream.of(BOOLQ, PIQA, SIQA, HELLASWAG, WINOGRANDE, ARC_C, ARC_E, OBQA, MINI).map(t -> t.folder)
                .collect(Collectors.joining(", "));
    }

    private static List<String> answers(int n) {
        List<String> a = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            a.add("answer" + i);
        }
        return a;
    }

    @Override
    public String toString() {
        return folder;
    }
}
