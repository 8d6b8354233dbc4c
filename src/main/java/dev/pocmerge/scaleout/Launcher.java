package dev.pocmerge.scaleout;

import dev.pocmerge.core.PocmergeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One JVM per device on one machine (DJL allows one open gradient collector per JVM): the members of one
 * ensemble are split into contiguous shares, share k runs as {@code <command> ... --members <share>} on device k
 * into {@code OUT/part-k/}, the parent shows one combined status line and waits. A child that fails stops the
 * others and is named with its members; finished parts are kept, and a rerun with {@code --resume} skips them and
 * resumes the rest from their checkpoints.
 */
public final class Launcher {
    /** One child: its members, device, folder, and (for GPUs) the CUDA_VISIBLE_DEVICES it sees. */
    public record Part(int index, int[] members, String device, String visibleGpu, Path dir) {}

    private Launcher() {}

    /** Splits {@code members} into {@code devices.size()} contiguous shares (the first ones one larger). */
    public static List<Part> plan(int[] members, List<String> devices, Path out) {
        if (devices.isEmpty()) {
            throw new PocmergeException("--gpus: give at least one device");
        }
        int n = Math.min(devices.size(), members.length);
        List<Part> parts = new ArrayList<>();
        int at = 0;
        for (int k = 0; k < n; k++) {
            int size = members.length / n + (k < members.length % n ? 1 : 0);
            int[] share = java.util.Arrays.copyOfRange(members, at, at + size);
            at += size;
            String d = devices.get(k);
            boolean gpu = d.matches("\\d+");
            parts.add(new Part(k, share, gpu ? "gpu:0" : d, gpu ? d : null, out.resolve("part-" + k)));
        }
        return parts;
    }

    /** Runs every part (or resumes / skips it), returns when all finished; throws naming the first failure. */
    public static void run(List<Part> parts, String command, List<String> childArgs, boolean resume) {
        List<Process> procs = new ArrayList<>();
        List<Part> running = new ArrayList<>();
        try {
            for (Part p : parts) {
                boolean done = Files.isRegularFile(p.dir().resolve("results.json"));
                if (resume && done) {
                    System.err.println("launch: part-" + p.index() + " (members " + MemberSelection.format(p.members())
                            + ") already finished, kept");
                    continue;
                }
                Files.createDirectories(p.dir());
                List<String> cmd = javaCommand();
                cmd.add(command);
                if (resume && Files.isRegularFile(p.dir().resolve("config.json"))) {
                    cmd.addAll(List.of("--resume", p.dir().toString(), "--device", p.device()));
                } else {
                    cmd.addAll(childArgs);
                    cmd.addAll(List.of("--members", MemberSelection.format(p.members()), "--device", p.device(), "--out",
                            p.dir().toString()));
                }
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(log(p).toFile());
                if (p.visibleGpu() != null) {
                    pb.environment().put("CUDA_VISIBLE_DEVICES", p.visibleGpu());
                }
                procs.add(pb.start());
                running.add(p);
            }
            waitAll(procs, running);
        } catch (IOException e) {
            throw new PocmergeException("launch: cannot start a child JVM (" + e.getMessage() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PocmergeException("launch: interrupted");
        } finally {
            procs.forEach(Process::destroyForcibly); // no-op for the finished ones
        }
    }

    private static void waitAll(List<Process> procs, List<Part> parts) throws InterruptedException {
        long lastPrint = 0;
        while (true) {
            boolean all = true;
            for (int i = 0; i < procs.size(); i++) {
                Process p = procs.get(i);
                if (p.isAlive()) {
                    all = false;
                } else if (p.exitValue() != 0) {
                    Part part = parts.get(i);
                    throw new PocmergeException("launch: part-" + part.index() + " (members "
                            + MemberSelection.format(part.members()) + ", " + part.device() + ") failed: "
                            + lastLine(log(part)) + " — the other parts were stopped; finished"
                            + " parts are kept, rerun with --resume to train only what is missing");
                }
            }
            if (all) {
                return;
            }
            if (System.nanoTime() - lastPrint > 2_000_000_000L) {
                System.err.println("launch: " + status(parts));
                lastPrint = System.nanoTime();
            }
            Thread.sleep(200);
        }
    }

    /** "part-0 step 12, part-1 step 11": the last step each child's metrics.jsonl has. */
    static String status(List<Part> parts) {
        List<String> s = new ArrayList<>();
        for (Part p : parts) {
            String last = lastLine(p.dir().resolve("metrics.jsonl"));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"step\":(\\d+)").matcher(last);
            s.add(String.format(Locale.ROOT, "part-%d [%s] step %s", p.index(), MemberSelection.format(p.members()),
                    m.find() ? m.group(1) : "-"));
        }
        return String.join(", ", s);
    }

    private static String lastLine(Path f) {
        try {
            if (!Files.isRegularFile(f)) {
                return "";
            }
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) {
                    return lines.get(i).strip();
                }
            }
            return "";
        } catch (IOException | java.io.UncheckedIOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** The java that runs us, our classpath and the engine flags this JVM was given. */
    private static List<String> javaCommand() {
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (Map.Entry<Object, Object> e : System.getProperties().entrySet()) {
            String k = e.getKey().toString();
            if (k.startsWith("ai.djl.")) {
                c.add("-D" + k + "=" + e.getValue());
            }
        }
        c.add("-cp");
        c.add(System.getProperty("java.class.path"));
        c.add("dev.pocmerge.cli.Main");
        return c;
    }

    /** {@code DIR/part-k.log}: beside the part's folder, which the child must find empty (its --out contract). */
    static Path log(Part p) {
        return p.dir().resolveSibling(p.dir().getFileName() + ".log");
    }
}
