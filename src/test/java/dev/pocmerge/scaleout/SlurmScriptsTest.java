package dev.pocmerge.scaleout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/slurm run for real under bash, with stand-ins for `java` and `sbatch` that record what they were given:
 * array task m trains member m with the image's own command and environment, the merge and the comparison get
 * exactly the members the array wrote (the same command lines as the Kubernetes Jobs), and submit.sh chains
 * the three jobs with afterok.
 */
class SlurmScriptsTest {
    static final Path DIR = Path.of("docker/slurm");

    @TempDir
    Path tmp;

    /** What a stand-in command recorded: its arguments, one per line, and its environment. */
    record Recorded(Subprocess run, List<String> argv, Map<String, String> env) {}

    private Path stubs() throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        String record = "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\" > \"$STUB_ARGS\"\nenv > \"$STUB_ENV\"\n";
        for (String name : List.of("java", "apptainer")) {
            executable(bin.resolve(name), record);
        }
        // sbatch --parsable answers "jobid;cluster"; ids 101, 102, ... in call order
        executable(bin.resolve("sbatch"), "#!/usr/bin/env bash\nprintf '%s\\n' \"$*\" >> \"$STUB_CALLS\"\n"
                + "echo \"$((100 + $(wc -l < \"$STUB_CALLS\")));cluster-a\"\n");
        return bin;
    }

    private static void executable(Path p, String text) throws IOException {
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Recorded run(String script, Map<String, String> extra) throws Exception {
        Path bin = stubs();
        Path args = tmp.resolve("args");
        Path envFile = tmp.resolve("env");
        Files.deleteIfExists(args);
        Map<String, String> env = new HashMap<>();
        env.put("PATH", bin + ":/usr/bin:/bin");
        env.put("STUB_ARGS", args.toString());
        env.put("STUB_ENV", envFile.toString());
        env.put("STUB_CALLS", tmp.resolve("calls").toString());
        env.putAll(extra);
        // Slurm starts a batch script in the folder sbatch ran in: the repository root here
        Subprocess r = Subprocess.run(List.of("bash", DIR.resolve(script).toString()), env, Path.of("."),
                Duration.ofSeconds(30));
        List<String> argv = Files.exists(args) ? Files.readAllLines(args) : List.of();
        Map<String, String> seen = new HashMap<>();
        if (Files.exists(envFile)) {
            for (String line : Files.readAllLines(envFile)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    seen.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        }
        return new Recorded(r, argv, seen);
    }

    /** The pocmerge command line after the image's `java ... -jar JAR` (checked against the ENTRYPOINT). */
    private static List<String> pocmergeArgs(Recorded r) {
        List<String> entry = DockerImageTest.df().stage("cuda").entrypoint();
        int jar = entry.indexOf("-jar") + 1;
        assertEquals(0, r.run().exit(), r.run().describe());
        assertTrue(r.argv().size() > jar, "java got " + r.argv());
        assertEquals(entry.subList(1, jar), r.argv().subList(0, jar - 1), "the image's java flags");
        assertEquals(Path.of("target/pocmerge.jar"), Path.of(r.argv().get(jar - 1)).normalize(),
                "the jar of a checkout built with mvn -Pcuda package");
        return r.argv().subList(jar, r.argv().size());
    }

    /** What pod `member` of a Job runs on its first start. */
    private static List<String> k8sArgs(String job, String member) throws IOException {
        Container c = Manifests.job(Manifests.all(), job).getSpec().getTemplate().getSpec().getContainers().get(0);
        Map<String, String> env = new HashMap<>();
        PocmergeArgv.references(c.getArgs()).forEach(v -> env.put(v, member));
        return PocmergeArgv.runs(c.getCommand(), c.getArgs(), env).get(0);
    }

    @Test
    void arrayTaskTrainsItsMemberWithTheImagesCommandAndEnvironment() throws Exception {
        Recorded r = run("finetune-array.sh", Map.of("SLURM_ARRAY_TASK_ID", "3"));
        List<String> args = pocmergeArgs(r);
        assertEquals("3", PocmergeArgv.value(args, "--members"));
        assertEquals("runs/ft/member-3", PocmergeArgv.value(args, "--out"), "a first start (no run folder yet)");
        assertEquals(k8sArgs(KubernetesManifestsTest.FINETUNE, "3"), args,
                "array task 3 runs what the Indexed Job's pod 3 runs");
        for (String key : List.of("OPT_OUT_TRACKING", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_",
                "MALLOC_TOP_PAD_")) {
            assertEquals(DockerImageTest.df().stage("cuda").env().get(key), r.env().get(key), key + " as in the image");
        }
    }

    @Test
    void settingsComeFromTheEnvironmentAndTheImageRunsThroughApptainer() throws Exception {
        Recorded r = run("finetune-array.sh", Map.of("SLURM_ARRAY_TASK_ID", "1", "M", "4", "RUN", "/scratch/ft4",
                "POCMERGE", "apptainer run --nv pocmerge_cuda.sif"));
        assertEquals(0, r.run().exit(), r.run().describe());
        assertEquals(List.of("run", "--nv", "pocmerge_cuda.sif", "finetune"), r.argv().subList(0, 4));
        assertEquals("4", PocmergeArgv.value(r.argv(), "--M"));
        assertEquals("/scratch/ft4/member-1", PocmergeArgv.value(r.argv(), "--out"));
    }

    @Test
    void aRequeuedTaskResumesItsMembersRun() throws Exception {
        Path run = tmp.resolve("ft");
        Files.createDirectories(run.resolve("member-5"));
        Files.writeString(run.resolve("member-5/config.json"), "{}");
        List<String> args = pocmergeArgs(run("finetune-array.sh", Map.of("SLURM_ARRAY_TASK_ID", "5", "RUN",
                run.toString())));
        assertEquals(run.resolve("member-5").toString(), PocmergeArgv.value(args, "--resume"));
        assertTrue(!args.contains("--out"), "a restart resumes, it does not start over: " + args);
    }

    @Test
    void aTaskOutsideTheEnsembleOrNoArrayAtAllIsRefused() throws Exception {
        Recorded none = run("finetune-array.sh", Map.of());
        assertNotEquals(0, none.run().exit());
        assertTrue(none.run().err().contains("--array=0-7"), none.run().describe());
        assertTrue(none.argv().isEmpty(), "nothing may start without a member");

        Recorded outside = run("finetune-array.sh", Map.of("SLURM_ARRAY_TASK_ID", "8"));
        assertEquals(2, outside.run().exit(), outside.run().describe());
        assertTrue(outside.run().err().contains("not a member of an M=8 ensemble"), outside.run().describe());
        assertTrue(outside.argv().isEmpty());
    }

    @Test
    void mergeAndCompareRunWhatTheKubernetesJobsRun() throws Exception {
        List<String> merge = pocmergeArgs(run("merge.sh", Map.of()));
        assertEquals(k8sArgs(KubernetesManifestsTest.MERGE, "0"), merge);
        assertEquals(8, PocmergeArgv.values(merge, "--adapters").size());
        List<String> compare = pocmergeArgs(run("compare.sh", Map.of()));
        assertEquals(k8sArgs(KubernetesManifestsTest.COMPARE, "0"), compare);
    }

    @Test
    void submitQueuesMergeAfterEveryArrayTaskAndCompareAfterMerge() throws Exception {
        Recorded r = run("submit.sh", Map.of());
        assertEquals(0, r.run().exit(), r.run().describe());
        List<String> calls = Files.readAllLines(tmp.resolve("calls"));
        assertEquals(3, calls.size(), "three sbatch calls: " + calls);
        assertTrue(calls.get(0).startsWith("--parsable --array=0-7 ") && calls.get(0).endsWith("/finetune-array.sh"),
                calls.get(0));
        // afterok on the array's job id: the merge starts only when all tasks succeeded; ";cluster" is cut off
        assertTrue(calls.get(1).contains("--dependency=afterok:101 ") && calls.get(1).endsWith("/merge.sh"),
                calls.get(1));
        assertTrue(calls.get(2).contains("--dependency=afterok:102 ") && calls.get(2).endsWith("/compare.sh"),
                calls.get(2));
        assertTrue(r.run().out().contains("103"), r.run().out());
    }

    @Test
    void sbatchDirectivesComeBeforeTheFirstCommand() throws IOException {
        // sbatch stops reading #SBATCH at the first line that is not a comment: a later one is silently ignored
        for (String script : List.of("finetune-array.sh", "merge.sh", "compare.sh")) {
            List<String> lines = Files.readAllLines(DIR.resolve(script));
            assertTrue(lines.get(0).startsWith("#!"), script + ": shebang");
            boolean code = false;
            List<String> directives = new ArrayList<>();
            for (String l : lines) {
                String s = l.strip();
                if (s.startsWith("#SBATCH")) {
                    assertTrue(!code, script + ": '" + s + "' after the first command is ignored by sbatch");
                    directives.add(s);
                } else if (!s.isEmpty() && !s.startsWith("#")) {
                    code = true;
                }
            }
            boolean gpu = directives.contains("#SBATCH --gres=gpu:1");
            assertEquals(!script.equals("merge.sh"), gpu, script + ": one GPU for training and evaluation only");
            if (script.equals("finetune-array.sh")) {
                assertTrue(directives.contains("#SBATCH --array=0-7"), "one task per member of M = 8");
                assertTrue(directives.contains("#SBATCH --requeue"), "a preempted task goes back to the queue");
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> pocmergeAcceptsEveryScriptsCommandLine() {
        return Stream.of("finetune-array.sh", "merge.sh", "compare.sh").map(s -> DynamicTest.dynamicTest(s, () ->
                PocmergeArgv.assertParses(s, pocmergeArgs(run(s, Map.of("SLURM_ARRAY_TASK_ID", "3"))))));
    }
}
