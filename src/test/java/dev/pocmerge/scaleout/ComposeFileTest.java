package dev.pocmerge.scaleout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * docker/compose.yaml without a Docker engine: the keys are Compose's, the images are the Dockerfile's stages,
 * GPU services reserve the GPUs, every service sees models/, datasets/ and runs/ under the image's WORKDIR, the
 * LoRA pipeline runs in order on one folder, and pocmerge accepts each command.
 */
class ComposeFileTest {
    static final Path FILE = Path.of("docker/compose.yaml");
    private static final Set<String> TOP = Set.of("name", "services", "volumes", "networks", "configs", "secrets");
    private static final Set<String> SERVICE = Set.of("image", "build", "command", "entrypoint", "profiles",
            "depends_on", "deploy", "volumes", "working_dir", "environment", "stop_grace_period", "shm_size",
            "ipc", "ulimits", "restart", "user", "gpus");

    @SuppressWarnings("unchecked")
    static Map<String, Object> compose() {
        try (Reader r = Files.newBufferedReader(FILE)) {
            return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> services() {
        return (Map<String, Map<String, Object>>) compose().get("services");
    }

    /** The image the `pocmerge` service runs: the GPU image every k8s pod and docker/README.md use too. */
    static String gpuImage() {
        return (String) services().get("pocmerge").get("image");
    }

    @Test
    void onlyComposeKeys() {
        for (String k : compose().keySet()) {
            assertTrue(TOP.contains(k) || k.startsWith("x-"), "top-level key " + k + " is not Compose's");
        }
        services().forEach((name, s) -> s.keySet().forEach(k ->
                assertTrue(SERVICE.contains(k), "service " + name + ": key " + k + " is not one we expect")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void imagesAreTheDockerfilesStagesAndGpuServicesReserveGpus() {
        Dockerfile df = DockerImageTest.df();
        services().forEach((name, s) -> {
            Map<String, Object> build = (Map<String, Object>) s.get("build");
            assertNotNull(build, name + ": build");
            assertEquals("docker/Dockerfile", build.get("dockerfile"), name);
            assertEquals("..", build.get("context"), name + ": the repository is the build context");
            String target = (String) build.get("target");
            Dockerfile.Stage stage = df.stage(target);
            assertEquals("pocmerge:" + target, s.get("image"), name + ": tag names the target");
            boolean gpu = reservesGpus(s);
            assertEquals("cuda".equals(target), gpu, name + ": GPU reservation iff the cuda image");
            assertEquals(stage.workdir(), s.get("working_dir"), name + ": working_dir is the image's WORKDIR");
            List<String> vols = (List<String>) s.get("volumes");
            for (String dir : List.of("models", "datasets", "runs")) {
                String mount = "../" + dir + ":" + stage.workdir() + "/" + dir + (dir.equals("runs") ? "" : ":ro");
                assertTrue(vols.contains(mount), name + " mounts " + mount + ": " + vols);
                if (!dir.equals("runs")) {
                    assertTrue(Files.isDirectory(FILE.getParent().resolve("../" + dir)), dir + "/ exists in the repo");
                }
            }
        });
        assertEquals("pocmerge:cuda", gpuImage());
    }

    @Test
    void loraPipelineRunsInOrderOnOneRunFolder() {
        Map<String, Map<String, Object>> s = services();
        List<String> ft = runs(s.get("finetune")).get(0);
        List<String> merge = command(s.get("merge"));
        List<String> compare = command(s.get("compare"));
        assertEquals("finetune", ft.get(0));
        assertEquals(2, runs(s.get("finetune")).size(), "finetune goes through resume-or-start: `up` again resumes");
        assertEquals(List.of(PocmergeArgv.value(ft, "--out") + "/adapters"), PocmergeArgv.values(merge, "--adapters"));
        assertEquals(PocmergeArgv.value(merge, "--out"), PocmergeArgv.value(compare, "--merged"));
        assertEquals(PocmergeArgv.values(merge, "--adapters"), PocmergeArgv.values(compare, "--adapters"));
        assertEquals(PocmergeArgv.value(ft, "--model"), PocmergeArgv.value(compare, "--model"));
        assertDependsOn(s.get("merge"), "finetune");
        assertDependsOn(s.get("compare"), "merge");
    }

    @Test
    void readmeShowsTheComposeCommands() throws IOException {
        String readme = Files.readString(Path.of("docker/README.md"));
        assertTrue(readme.contains("docker compose -f docker/compose.yaml"), "docker/README.md uses compose.yaml");
        for (String service : services().keySet()) {
            assertTrue(readme.contains(service), "docker/README.md mentions service " + service);
        }
    }

    @TestFactory
    Stream<DynamicTest> pocmergeAcceptsEveryServicesCommand() {
        return services().entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            for (List<String> argv : runs(e.getValue())) {
                PocmergeArgv.assertParses("compose service " + e.getKey(), argv);
            }
        }));
    }

    /** The pocmerge command lines a service runs: its command, through resume-or-start when that is its entrypoint. */
    @SuppressWarnings("unchecked")
    static List<List<String>> runs(Map<String, Object> service) {
        return PocmergeArgv.runs((List<String>) service.get("entrypoint"), command(service), Map.of());
    }

    @SuppressWarnings("unchecked")
    private static List<String> command(Map<String, Object> service) {
        Object c = service.get("command");
        assertTrue(c instanceof List<?>, "command in list form (a string would be split by Compose's shell rules)");
        List<String> out = new ArrayList<>();
        for (Object o : (List<Object>) c) {
            assertTrue(o instanceof String, "command words are strings: " + o);
            out.add((String) o);
        }
        assertFalse(out.isEmpty());
        return out;
    }

    @SuppressWarnings("unchecked")
    private static boolean reservesGpus(Map<String, Object> s) {
        Object deploy = s.get("deploy");
        if (!(deploy instanceof Map<?, ?> d) || !(d.get("resources") instanceof Map<?, ?> r)
                || !(r.get("reservations") instanceof Map<?, ?> res)) {
            return false;
        }
        List<Map<String, Object>> devices = (List<Map<String, Object>>) res.get("devices");
        return devices != null && devices.stream().anyMatch(dev -> "nvidia".equals(dev.get("driver"))
                && ((List<String>) dev.get("capabilities")).contains("gpu"));
    }

    @SuppressWarnings("unchecked")
    private static void assertDependsOn(Map<String, Object> service, String on) {
        Map<String, Map<String, Object>> deps = (Map<String, Map<String, Object>>) service.get("depends_on");
        assertNotNull(deps, "depends_on " + on);
        assertEquals("service_completed_successfully", deps.get(on).get("condition"), "waits for " + on + " to succeed");
    }
}
