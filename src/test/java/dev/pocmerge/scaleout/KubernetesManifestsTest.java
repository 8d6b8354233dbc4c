package dev.pocmerge.scaleout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * docker/k8s read as the API server would (fabric8's model, no cluster), then the rules the server enforces for
 * our kinds and the wiring docker/README.md promises: one pod per member with the completion index as --members,
 * one GPU each, --resume on the member's own folder, one shared claim, the image of compose.yaml.
 */
class KubernetesManifestsTest {
    static final String FINETUNE = "pocmerge-finetune";
    static final String MERGE = "pocmerge-merge";
    static final String COMPARE = "pocmerge-compare";
    static final String GPU = "nvidia.com/gpu";
    static final String INDEX_ANNOTATION = "metadata.annotations['batch.kubernetes.io/job-completion-index']";
    static List<Manifests.Manifest> all;

    @BeforeAll
    static void load() throws IOException {
        all = Manifests.all();
    }

    @TestFactory
    Stream<DynamicTest> everyManifestIsAValidObjectOfItsKind() throws IOException {
        List<Path> files = Manifests.files();
        assertTrue(files.size() >= 4, "manifests under docker/k8s: " + files);
        return files.stream().map(f -> DynamicTest.dynamicTest(f.toString(), () -> {
            List<Manifests.Manifest> docs = Manifests.read(f);
            assertFalse(docs.isEmpty(), f + " holds no object");
            for (Manifests.Manifest m : docs) {
                HasMetadata o = m.object();
                assertNotNull(o.getMetadata(), m.where() + ": metadata");
                assertDns1123(m.where() + " metadata.name", o.getMetadata().getName(), 253);
                PodSpec spec = Manifests.podSpec(o);
                if (spec != null) {
                    assertValidPodSpec(m.where(), spec, o instanceof Job j && "Indexed".equals(j.getSpec()
                            .getCompletionMode()));
                }
                if (o instanceof Job j) {
                    assertValidJobSpec(m.where(), j.getSpec());
                }
                if (o instanceof PersistentVolumeClaim pvc) {
                    assertNotNull(pvc.getSpec().getResources().getRequests().get("storage"), m.where() + " storage");
                    assertFalse(pvc.getSpec().getAccessModes().isEmpty(), m.where() + " accessModes");
                }
            }
        }));
    }

    @Test
    void objectNamesAreUniquePerKind() {
        Set<String> seen = new HashSet<>();
        for (Manifests.Manifest m : all) {
            assertTrue(seen.add(m.object().getKind() + "/" + m.object().getMetadata().getName()),
                    "two objects named " + m.object().getKind() + "/" + m.object().getMetadata().getName());
        }
    }

    @Test
    void finetuneIsAnIndexedJobOfOneGpuPodPerMember() {
        Job job = Manifests.job(all, FINETUNE);
        JobSpec spec = job.getSpec();
        assertEquals("Indexed", spec.getCompletionMode());
        Container c = only(spec.getTemplate().getSpec().getContainers());
        List<String> args = c.getArgs();
        assertEquals("finetune", args.get(0));
        int m = Integer.parseInt(PocmergeArgv.value(args, "--M"));
        assertEquals(m, spec.getCompletions(), "completions = --M: one completion per member");
        assertTrue(spec.getParallelism() >= 1 && spec.getParallelism() <= m, "parallelism in 1..M");
        assertEquals(new Quantity("1"), c.getResources().getLimits().get(GPU), "one GPU per pod");

        // --members is the completion index, through an env var that Kubernetes itself expands in args
        String members = PocmergeArgv.value(args, "--members");
        List<String> refs = PocmergeArgv.references(List.of(members));
        assertEquals(1, refs.size(), "--members must be exactly $(VAR), got " + members);
        assertEquals("$(" + refs.get(0) + ")", members);
        assertTrue(isCompletionIndex(c, refs.get(0)), refs.get(0) + " must carry the completion index ("
                + INDEX_ANNOTATION + " or JOB_COMPLETION_INDEX)");

        // each member its own folder, started or resumed by resume-or-start: a preempted pod continues there
        List<String> command = c.getCommand();
        assertEquals(List.of(PocmergeArgv.RESUME_OR_START), command.subList(0, 1), "the pod starts resume-or-start");
        assertEquals(2, command.size(), "resume-or-start RUN_DIR");
        assertTrue(command.get(1).contains(members), "the run folder must depend on the member: " + command);
        assertFalse(args.contains("--out") || args.contains("--resume"), "resume-or-start adds --out or --resume");
        assertTrue(Integer.parseInt(PocmergeArgv.value(args, "--save-steps")) > 0);
        assertEquals("gpu", PocmergeArgv.value(args, "--device"));
    }

    @Test
    void finetuneSurvivesPreemptionAndStopsOnUserErrors() {
        JobSpec spec = Manifests.job(all, FINETUNE).getSpec();
        assertEquals("Never", spec.getTemplate().getSpec().getRestartPolicy());
        assertTrue(spec.getBackoffLimitPerIndex() != null && spec.getBackoffLimitPerIndex() >= 1,
                "a crashed member is retried on its own");
        assertEquals("Failed", spec.getPodReplacementPolicy(), "no second pod on one member folder while the first "
                + "is still terminating");
        List<PodFailurePolicyRule> rules = spec.getPodFailurePolicy().getRules();
        assertTrue(rules.stream().anyMatch(r -> "Ignore".equals(r.getAction()) && r.getOnPodConditions() != null
                && r.getOnPodConditions().stream().anyMatch(p -> "DisruptionTarget".equals(p.getType()))),
                "preemption (DisruptionTarget) must not use up the retries");
        assertTrue(rules.stream().anyMatch(r -> r.getOnExitCodes() != null && r.getOnExitCodes().getValues()
                .contains(2) && r.getAction().startsWith("Fail")), "exit 2 (pocmerge's user error) is not retried");
        assertTrue(spec.getTemplate().getSpec().getTerminationGracePeriodSeconds() >= 30);
    }

    @Test
    void mergeAndCompareTakeExactlyTheMembersTheIndexedJobWrites() {
        Job finetune = Manifests.job(all, FINETUNE);
        Container ft = only(finetune.getSpec().getTemplate().getSpec().getContainers());
        int m = finetune.getSpec().getCompletions();
        String var = PocmergeArgv.references(List.of(PocmergeArgv.value(ft.getArgs(), "--members"))).get(0);
        List<String> memberAdapters = IntStream.range(0, m).mapToObj(k -> PocmergeArgv.value(PocmergeArgv.runs(
                ft.getCommand(), ft.getArgs(), Map.of(var, String.valueOf(k))).get(0), "--out") + "/adapters").toList();

        Job merge = Manifests.job(all, MERGE);
        Container mc = only(merge.getSpec().getTemplate().getSpec().getContainers());
        assertEquals("merge", mc.getArgs().get(0));
        assertEquals(memberAdapters, PocmergeArgv.values(mc.getArgs(), "--adapters"));
        assertTrue(mc.getResources().getLimits() == null || !mc.getResources().getLimits().containsKey(GPU),
                "the merge needs no GPU");
        assertWaitsFor(merge, "M", String.valueOf(m));

        Job compare = Manifests.job(all, COMPARE);
        Container cc = only(compare.getSpec().getTemplate().getSpec().getContainers());
        assertEquals("compare", cc.getArgs().get(0));
        assertEquals(memberAdapters, PocmergeArgv.values(cc.getArgs(), "--adapters"));
        assertEquals(PocmergeArgv.value(mc.getArgs(), "--out"), PocmergeArgv.value(cc.getArgs(), "--merged"));
        assertEquals(PocmergeArgv.value(ft.getArgs(), "--model"), PocmergeArgv.value(cc.getArgs(), "--model"));
        assertEquals(new Quantity("1"), cc.getResources().getLimits().get(GPU));
        assertWaitsFor(compare, null, null);
        String waited = String.join("\n", only(compare.getSpec().getTemplate().getSpec().getInitContainers())
                .getArgs());
        assertTrue(waited.contains(PocmergeArgv.value(mc.getArgs(), "--out") + "/adapter_config.json"), waited);
    }

    @Test
    void everyPodMountsTheOneClaimAtTheSamePlaces() {
        List<String> claims = all.stream().map(Manifests.Manifest::object).filter(PersistentVolumeClaim.class::isInstance)
                .map(o -> o.getMetadata().getName()).toList();
        assertEquals(1, claims.size(), "one PersistentVolumeClaim: " + claims);
        PersistentVolumeClaim pvc = (PersistentVolumeClaim) all.stream().map(Manifests.Manifest::object)
                .filter(PersistentVolumeClaim.class::isInstance).findFirst().orElseThrow();
        assertTrue(pvc.getSpec().getAccessModes().contains("ReadWriteMany"), "pods on many nodes share it");
        Map<String, String> runsMount = new HashMap<>();
        for (Manifests.Manifest m : all) {
            PodSpec spec = Manifests.podSpec(m.object());
            if (spec == null) {
                continue;
            }
            for (Volume v : spec.getVolumes()) {
                assertNotNull(v.getPersistentVolumeClaim(), m.where() + ": volume " + v.getName() + " is not the claim");
                assertEquals(claims.get(0), v.getPersistentVolumeClaim().getClaimName(), m.where());
            }
            if (m.object() instanceof Job) {
                for (Container c : spec.getContainers()) {
                    VolumeMount runs = c.getVolumeMounts().stream().filter(vm -> "runs".equals(vm.getSubPath()))
                            .findFirst().orElseThrow(() -> new AssertionError(m.where() + ": " + c.getName()
                                    + " does not mount runs/"));
                    assertFalse(Boolean.TRUE.equals(runs.getReadOnly()), m.where() + ": runs/ is written");
                    runsMount.put(m.where() + " " + c.getName(), runs.getMountPath());
                }
            }
        }
        assertEquals(1, new HashSet<>(runsMount.values()).size(), "runs/ at one path everywhere: " + runsMount);
        assertEquals(DockerImageTest.df().stage("cuda").workdir() + "/runs", runsMount.values().iterator().next(),
                "runs/ under the image's WORKDIR, so relative paths in args land on the volume");
    }

    @Test
    void podsRunTheImageThatComposeBuildsAndTheReadmeNames() throws IOException {
        String image = ComposeFileTest.gpuImage();
        String readme = Files.readString(Path.of("docker/README.md"));
        assertTrue(readme.contains("-t " + image), "docker/README.md builds " + image);
        for (Job j : Manifests.jobs(all)) {
            PodSpec spec = j.getSpec().getTemplate().getSpec();
            List<Container> cs = new ArrayList<>(spec.getContainers());
            if (spec.getInitContainers() != null) {
                cs.addAll(spec.getInitContainers());
            }
            for (Container c : cs) {
                assertEquals(image, c.getImage(), j.getMetadata().getName() + "/" + c.getName());
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> pocmergeAcceptsEveryJobsCommandLine() {
        return Manifests.jobs(all).stream().map(j -> DynamicTest.dynamicTest(j.getMetadata().getName(), () -> {
            Container c = j.getSpec().getTemplate().getSpec().getContainers().get(0);
            // a sample member for $(VAR): the options are what is checked, not the value
            Map<String, String> env = new HashMap<>();
            PocmergeArgv.references(c.getArgs()).forEach(v -> env.put(v, "3"));
            for (List<String> argv : PocmergeArgv.runs(c.getCommand(), c.getArgs(), env)) {
                PocmergeArgv.assertParses(j.getMetadata().getName(), argv);
            }
        }));
    }

    // ---- the API server's rules for what we use ----

    private static void assertValidJobSpec(String where, JobSpec spec) {
        PodSpec pod = spec.getTemplate().getSpec();
        assertTrue(Set.of("Never", "OnFailure").contains(pod.getRestartPolicy()),
                where + ": a Job's restartPolicy is Never or OnFailure, not " + pod.getRestartPolicy());
        if (spec.getCompletionMode() != null) {
            assertTrue(Set.of("Indexed", "NonIndexed").contains(spec.getCompletionMode()), where);
        }
        if (spec.getBackoffLimitPerIndex() != null) {
            assertEquals("Indexed", spec.getCompletionMode(), where + ": backoffLimitPerIndex needs an Indexed Job");
        }
        if (spec.getCompletions() != null && spec.getParallelism() != null) {
            assertTrue(spec.getParallelism() >= 0 && spec.getCompletions() >= 1, where);
        }
        if (spec.getPodFailurePolicy() != null) {
            assertEquals("Never", pod.getRestartPolicy(), where + ": podFailurePolicy needs restartPolicy Never");
            assertTrue(spec.getPodReplacementPolicy() == null || "Failed".equals(spec.getPodReplacementPolicy()),
                    where + ": with podFailurePolicy only podReplacementPolicy Failed is allowed");
            Set<String> names = new HashSet<>();
            pod.getContainers().forEach(c -> names.add(c.getName()));
            for (PodFailurePolicyRule r : spec.getPodFailurePolicy().getRules()) {
                assertTrue(Set.of("Ignore", "FailJob", "FailIndex", "Count").contains(r.getAction()), where);
                assertTrue(!"FailIndex".equals(r.getAction()) || spec.getBackoffLimitPerIndex() != null,
                        where + ": FailIndex needs backoffLimitPerIndex");
                assertTrue((r.getOnExitCodes() == null) != (r.getOnPodConditions() == null || r.getOnPodConditions()
                        .isEmpty()), where + ": a rule has onExitCodes or onPodConditions, not both");
                if (r.getOnExitCodes() != null) {
                    var ec = r.getOnExitCodes();
                    assertTrue(ec.getContainerName() == null || names.contains(ec.getContainerName()),
                            where + ": onExitCodes names container " + ec.getContainerName());
                    assertTrue(Set.of("In", "NotIn").contains(ec.getOperator()), where);
                    assertFalse("In".equals(ec.getOperator()) && ec.getValues().contains(0),
                            where + ": exit code 0 cannot be matched with In");
                }
            }
        }
    }

    private static void assertValidPodSpec(String where, PodSpec spec, boolean indexed) {
        assertFalse(spec.getContainers().isEmpty(), where + ": no containers");
        Set<String> volumes = new HashSet<>();
        spec.getVolumes().forEach(v -> assertTrue(volumes.add(v.getName()), where + ": volume " + v.getName() + " twice"));
        List<Container> all = new ArrayList<>(spec.getContainers());
        if (spec.getInitContainers() != null) {
            all.addAll(spec.getInitContainers());
        }
        Set<String> names = new HashSet<>();
        for (Container c : all) {
            String w = where + ": container " + c.getName();
            assertDns1123(w, c.getName(), 63);
            assertTrue(names.add(c.getName()), w + " twice");
            assertTrue(c.getImage() != null && !c.getImage().isBlank(), w + ": image");
            Set<String> paths = new HashSet<>();
            for (VolumeMount vm : c.getVolumeMounts()) {
                assertTrue(volumes.contains(vm.getName()), w + ": mounts undeclared volume " + vm.getName());
                assertTrue(vm.getMountPath().startsWith("/"), w + ": mountPath " + vm.getMountPath());
                assertTrue(paths.add(vm.getMountPath()), w + ": two mounts at " + vm.getMountPath());
            }
            Set<String> env = new HashSet<>();
            if (c.getEnv() != null) {
                for (EnvVar e : c.getEnv()) {
                    assertTrue(env.add(e.getName()), w + ": env " + e.getName() + " twice");
                    assertTrue((e.getValue() != null) != (e.getValueFrom() != null), w + ": env " + e.getName()
                            + " needs value or valueFrom");
                }
            }
            if (indexed) {
                env.add("JOB_COMPLETION_INDEX"); // the Job controller adds it to each pod
            }
            List<String> words = new ArrayList<>();
            if (c.getCommand() != null) {
                words.addAll(c.getCommand());
            }
            if (c.getArgs() != null) {
                words.addAll(c.getArgs());
            }
            // kubelet leaves an undefined $(VAR) as literal text: a typo would reach pocmerge verbatim
            for (String ref : PocmergeArgv.references(words)) {
                assertTrue(env.contains(ref), w + ": $(" + ref + ") is not an env var of the container");
            }
            assertResources(w, c);
        }
    }

    private static void assertResources(String where, Container c) {
        if (c.getResources() == null) {
            return;
        }
        Map<String, Quantity> req = Objects.requireNonNullElse(c.getResources().getRequests(), Map.of());
        Map<String, Quantity> lim = Objects.requireNonNullElse(c.getResources().getLimits(), Map.of());
        for (var e : req.entrySet()) {
            Quantity l = lim.get(e.getKey());
            if (l != null) {
                assertTrue(e.getValue().getNumericalAmount().compareTo(l.getNumericalAmount()) <= 0,
                        where + ": request " + e.getKey() + " " + e.getValue() + " above its limit " + l);
            }
        }
        for (String r : List.of(GPU)) {
            Quantity l = lim.get(r);
            Quantity q = req.get(r);
            if (q != null) {
                assertNotNull(l, where + ": an extended resource (" + r + ") needs a limit");
            }
            if (l != null) {
                assertTrue(l.getNumericalAmount().stripTrailingZeros().scale() <= 0, where + ": whole GPUs only");
                assertTrue(q == null || q.getNumericalAmount().compareTo(l.getNumericalAmount()) == 0,
                        where + ": " + r + " request must equal its limit");
            }
        }
    }

    private static void assertWaitsFor(Job job, String envName, String envValue) {
        PodSpec spec = job.getSpec().getTemplate().getSpec();
        assertNotNull(spec.getInitContainers(), job.getMetadata().getName() + " waits for its inputs in an init container");
        Container init = only(spec.getInitContainers());
        assertTrue(init.getVolumeMounts().stream().anyMatch(v -> "runs".equals(v.getSubPath())),
                "the wait reads runs/");
        if (envName != null) {
            assertEquals(envValue, init.getEnv().stream().filter(e -> envName.equals(e.getName())).findFirst()
                    .orElseThrow().getValue(), job.getMetadata().getName() + ": waits for as many members as trained");
        }
    }

    private static boolean isCompletionIndex(Container c, String var) {
        if ("JOB_COMPLETION_INDEX".equals(var)) {
            return c.getEnv() == null || c.getEnv().stream().noneMatch(e -> var.equals(e.getName()));
        }
        return c.getEnv() != null && c.getEnv().stream().anyMatch(e -> var.equals(e.getName())
                && e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null
                && INDEX_ANNOTATION.equals(e.getValueFrom().getFieldRef().getFieldPath()));
    }

    private static void assertDns1123(String where, String name, int max) {
        assertTrue(name != null && name.length() <= max && name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"),
                where + ": '" + name + "' is not a DNS-1123 name");
    }

    static <T> T only(List<T> list) {
        assertNotNull(list);
        assertEquals(1, list.size(), "exactly one expected: " + list);
        return list.get(0);
    }
}
