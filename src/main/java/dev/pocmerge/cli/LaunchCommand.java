package dev.pocmerge.cli;

import dev.pocmerge.core.PocmergeException;
import dev.pocmerge.scaleout.Launcher;
import dev.pocmerge.scaleout.MemberSelection;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pocmerge launch --gpus 0,1,2,3 finetune ... --M 8 --out runs/ft}: one JVM per GPU, members split between
 * them, then the PoC merge of all parts into OUT/merged.
 */
@Command(name = "launch", mixinStandardHelpOptions = true,
        description = "Train the members of one ensemble in one JVM per GPU, then merge (finetune) them.")
public final class LaunchCommand implements Callable<Integer> {
    @Option(names = "--gpus", split = ",", description = "GPU indices, one child JVM each (e.g. 0,1,2,3)")
    List<String> gpus;

    @Option(names = "--devices", split = ",", description = "explicit --device per child instead of --gpus (e.g."
            + " cpu,cpu to try the split on a CPU box)")
    List<String> devices;

    @Option(names = "--resume", description = "keep finished parts, resume the others from their checkpoints")
    boolean resume;

    @Parameters(index = "0", description = "finetune or ensemble")
    String command;

    @Parameters(index = "1..*", arity = "0..*", description = "the command's options (--out is the launch folder)")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        if (!command.equals("finetune") && !command.equals("ensemble")) {
            throw new PocmergeException("launch: '" + command + "' is not finetune or ensemble");
        }
        if ((gpus == null) == (devices == null)) {
            throw new PocmergeException("launch: give exactly one of --gpus LIST or --devices LIST");
        }
        List<String> rest = new ArrayList<>(args);
        Path out = Path.of(take(rest, "--out", null, true));
        String mText = take(rest, "--M", "8", false);
        int m;
        try {
            m = Integer.parseInt(mText);
        } catch (NumberFormatException e) {
            throw new PocmergeException("--M '" + mText + "' is not a whole number");
        }
        rest.add(0, String.valueOf(m));
        rest.add(0, "--M");
        String spec = take(rest, "--members", null, false);
        take(rest, "--device", null, false);
        int[] members = spec == null ? MemberSelection.all(m) : MemberSelection.parse(spec, m);
        for (String d : gpus != null ? gpus : List.<String>of()) {
            if (!d.matches("\\d+")) {
                throw new PocmergeException("--gpus: '" + d + "' is not a GPU index");
            }
        }
        List<Launcher.Part> parts = Launcher.plan(members, gpus != null ? gpus : devices, out);
        System.err.println("launch: " + parts.size() + " part(s) of " + command + " under " + out);
        Launcher.run(parts, command, rest, resume);
        if (command.equals("finetune")) {
            List<String> merge = new ArrayList<>(List.of("merge", "--adapters"));
            parts.forEach(p -> merge.add(p.dir().resolve("adapters").toString()));
            merge.addAll(Arrays.asList("--out", out.resolve("merged").toString()));
            if (resume || rest.contains("--overwrite")) { // OUT/merged is launch's own, re-derived from the parts
                merge.add("--overwrite");
            }
            return Main.run(merge.toArray(new String[0]));
        }
        System.err.println("launch: ensemble parts finished; each part-k/ holds its members' results and particles");
        return 0;
    }

    /** Removes {@code --name VALUE} (or {@code --name=VALUE}) from {@code a} and returns VALUE. */
    private static String take(List<String> a, String name, String dflt, boolean required) {
        for (int i = 0; i < a.size(); i++) {
            String s = a.get(i);
            if (s.equals(name) && i + 1 < a.size()) {
                a.remove(i);
                return a.remove(i);
            }
            if (s.startsWith(name + "=")) {
                a.remove(i);
                return s.substring(name.length() + 1);
            }
        }
        if (required) {
            throw new PocmergeException("launch: the command needs " + name + " DIR (the parts go to DIR/part-k)");
        }
        return dflt;
    }
}
