package dev.pocmerge.scaleout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.pocmerge.cli.Main;
import io.fabric8.kubernetes.api.model.Container;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * docker/resume-or-start.sh, which every cluster file puts in front of finetune: --out on a member's first start,
 * --resume once its folder holds the run, then the image's own command. The last test runs the Kubernetes pod's
 * command line through it with the real finetune on a tiny model, as a first start and as a restart.
 */
class ResumeOrStartTest {
    static final Path SCRIPT = Path.of("docker/resume-or-start.sh");

    @TempDir
    Path tmp;

    private Subprocess run(Path cwd, Map<String, String> extra, String... args) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\nprintf '%s\\n' \"$0\" \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> env = new HashMap<>(Map.of("PATH", bin + ":/usr/bin:/bin"));
        env.putAll(extra);
        List<String> cmd = new ArrayList<>(List.of("sh", SCRIPT.toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        return Subprocess.run(cmd, env, cwd, Duration.ofSeconds(30));
    }

    @Test
    void firstStartGetsOutARestartGetsResumeUnderTheImagesCommand() throws Exception {
        List<String> entry = new ArrayList<>(DockerImageTest.df().stage("cuda").entrypoint());
        Subprocess first = run(tmp, Map.of(), "runs/ft/member-3", "finetune", "--members", "3");
        assertEquals(0, first.exit(), first.describe());
        List<String> argv = first.out().lines().toList();
        entry.set(0, tmp.resolve("bin/java").toString()); // the stand-in found on PATH, as `java` in the image
        List<String> expected = new ArrayList<>(entry);
        expected.addAll(List.of("finetune", "--members", "3", "--out", "runs/ft/member-3"));
        assertEquals(expected, argv, "the image's ENTRYPOINT, the args, then --out");

        Files.createDirectories(tmp.resolve("runs/ft/member-3"));
        Files.writeString(tmp.resolve("runs/ft/member-3/config.json"), "{}");
        Subprocess again = run(tmp, Map.of(), "runs/ft/member-3", "finetune", "--members", "3");
        List<String> resumed = again.out().lines().toList();
        assertEquals("--resume", resumed.get(resumed.size() - 2), again.describe());
        assertEquals("runs/ft/member-3", resumed.get(resumed.size() - 1));
        assertTrue(!resumed.contains("--out"));

        // POCMERGE replaces the image's command, split into words (Slurm passes e.g. "apptainer run --nv x.sif")
        Subprocess other = run(tmp, Map.of("POCMERGE", "java run --nv x.sif"), "d", "merge");
        assertEquals(List.of(tmp.resolve("bin/java").toString(), "run", "--nv", "x.sif", "merge", "--out", "d"),
                other.out().lines().toList(), other.describe());
    }

    @Test
    void withoutARunFolderAndACommandItSaysHow() throws Exception {
        Subprocess r = run(tmp, Map.of(), "runs/x");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("usage: resume-or-start RUN_DIR COMMAND"), r.describe());
    }

    @Test
    void bothImagesHaveItWhereThePodsAndComposeCallIt() {
        assertTrue(Files.isExecutable(SCRIPT), SCRIPT + " must be executable (COPY keeps the mode)");
        for (String stage : List.of("cpu", "cuda")) {
            Dockerfile.Copy c = DockerImageTest.df().stage(stage).copyOf(SCRIPT.toString()).orElseThrow(() ->
                    new AssertionError(stage + " does not COPY " + SCRIPT));
            assertEquals(PocmergeArgv.RESUME_OR_START, c.destination(), stage);
            assertEquals(null, c.from(), stage + ": from the build context");
        }
    }

    @Test
    void thePodsCommandStartsAMemberThenResumesItWithTheRealFinetune() throws Exception {
        Assumptions.assumeTrue(new CommandLine(new Main()).getSubcommands().containsKey("finetune"),
                "no finetune command in this build yet");
        Container pod = Manifests.job(Manifests.all(), KubernetesManifestsTest.FINETUNE).getSpec().getTemplate()
                .getSpec().getContainers().get(0);
        List<String> image = DockerImageTest.withJar(DockerImageTest.df().stage("cpu").entrypoint(),
                DockerImageTest.thinJar(tmp));
        Map<String, String> env = DockerImageTest.imageEnv(DockerImageTest.df().stage("cpu"));
        env.put("POCMERGE", String.join(" ", image));
        Path work = Files.createDirectories(tmp.resolve("work"));

        List<String> tiny = new ArrayList<>(image);
        tiny.addAll(List.of("tiny-llama", "--out", work.resolve("models/tiny").toString()));
        Subprocess made = Subprocess.run(tiny, env, work, Duration.ofMinutes(2));
        assertEquals(0, made.exit(), made.describe());
        JsonArray rows = new JsonArray();
        for (int i = 0; i < 24; i++) {
            JsonObject row = new JsonObject();
            row.addProperty("instruction", "Is " + i + " even?");
            row.addProperty("input", "");
            row.addProperty("output", "the correct answer is " + (i % 2 == 0 ? "yes" : "no"));
            rows.add(row);
        }
        Files.writeString(work.resolve("data.json"), rows.toString());

        // the pod's own command line (member 1), with the paper's model and data swapped for tiny ones
        Map<String, String> member = Map.of("MEMBER", "1");
        List<String> args = new ArrayList<>(PocmergeArgv.expand(pod.getArgs(), member));
        args.set(args.indexOf("--model") + 1, "models/tiny");
        args.set(args.indexOf("--data") + 1, "data.json");
        args.set(args.indexOf("--device") + 1, "cpu");
        args.set(args.indexOf("--rank") + 1, "2");
        args.set(args.indexOf("--save-steps") + 1, "1");
        args.addAll(List.of("--max-steps", "2", "--val-set-size", "4", "--cutoff-len", "32", "--batch-size", "2",
                "--micro-batch-size", "2", "--warmup-steps", "1"));
        List<String> cmd = new ArrayList<>(List.of("sh", SCRIPT.toAbsolutePath().toString()));
        cmd.add(PocmergeArgv.expand(pod.getCommand(), member).get(1));
        cmd.addAll(args);

        Subprocess first = Subprocess.run(cmd, env, work, Duration.ofMinutes(3));
        assertEquals(0, first.exit(), "first start of member 1: " + first.describe());
        Path runDir = work.resolve(PocmergeArgv.expand(pod.getCommand(), member).get(1));
        assertTrue(Files.exists(runDir.resolve("config.json")), "the run folder holds the run");
        assertTrue(Files.exists(runDir.resolve("adapters/adapter-1/adapter_model.safetensors")), "member 1's adapter");
        byte[] adapter = Files.readAllBytes(runDir.resolve("adapters/adapter-1/adapter_model.safetensors"));

        // the same command again, as a pod recreated after preemption: resumes (here: a finished run) and succeeds
        Subprocess restart = Subprocess.run(cmd, env, work, Duration.ofMinutes(3));
        assertEquals(0, restart.exit(), "restart of member 1: " + restart.describe());
        assertTrue(java.util.Arrays.equals(adapter, Files.readAllBytes(runDir.resolve(
                "adapters/adapter-1/adapter_model.safetensors"))), "a finished member is not trained again");
    }
}
