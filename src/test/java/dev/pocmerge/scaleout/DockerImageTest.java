package dev.pocmerge.scaleout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/Dockerfile against the build: the image's libtorch is the one DJL's JNI was built for (the pom's
 * pytorch.version), both images start the same command, and that command starts here on CPU, offline, with the
 * image's environment, so the image cannot ship an ENTRYPOINT that does not run.
 */
class DockerImageTest {
    static final Path DOCKERFILE = Path.of("docker/Dockerfile");
    private static Dockerfile parsed;

    /** docker/Dockerfile, parsed once (the k8s, compose and Slurm tests compare with it too). */
    static synchronized Dockerfile df() {
        if (parsed == null) {
            try {
                parsed = Dockerfile.parse(DOCKERFILE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return parsed;
    }

    @Test
    void libtorchOfTheGpuImageIsTheOneThePomPinsForDjl() throws IOException {
        String torch = Pom.property("pytorch.version");
        String djl = Pom.property("djl.version");
        Dockerfile.Stage cuda = df().stage("cuda");
        String flavor = cuda.env().get("PYTORCH_FLAVOR");
        assertEquals(torch, cuda.env().get("PYTORCH_VERSION"), "PYTORCH_VERSION in the cuda stage");
        assertTrue(flavor != null && flavor.matches("cu\\d{3,}"), "PYTORCH_FLAVOR cuXYZ, got " + flavor);
        String url = cuda.args().get("LIBTORCH_URL");
        assertTrue(url != null && url.endsWith("/libtorch/" + flavor + "/libtorch-shared-with-deps-" + torch + "%2B"
                + flavor + ".zip"), "LIBTORCH_URL must be libtorch " + torch + "+" + flavor + ", got " + url);
        // the CUDA runtime of the base image is the one the flavor was built with: cu128 <-> nvidia/cuda:12.8.x
        Matcher m = Pattern.compile("nvidia/cuda:(\\d+)\\.(\\d+)\\.\\d+-.*").matcher(cuda.image());
        assertTrue(m.matches(), "cuda stage base image: " + cuda.image());
        assertEquals(flavor, "cu" + m.group(1) + m.group(2), "CUDA of " + cuda.image() + " vs flavor " + flavor);
        assertEquals("/opt/libtorch/lib", cuda.env().get("PYTORCH_LIBRARY_PATH"), "where the zip unpacks");

        // ...and the pom's property is what the build really resolved: the JNI and the CPU natives on the classpath
        assertEquals(torch + "-" + djl, resource("jnilib/pytorch.properties").getProperty("jni_version"),
                "pytorch-jni on the classpath");
        String cpu = resource("native/lib/pytorch.properties").getProperty("version");
        assertTrue(cpu.startsWith(torch + "-"), "pytorch-native-cpu on the classpath is " + cpu);
    }

    @Test
    void bothImagesRunOneCommandFromTheJarTheirProfileBuilt() {
        assertEquals("cuda", df().last().name(), "plain `docker build` must give the GPU image: cuda is the last stage");
        Dockerfile.Stage cpu = df().stage("cpu");
        Dockerfile.Stage cuda = df().stage("cuda");
        assertEquals(cuda.entrypoint(), cpu.entrypoint(), "ENTRYPOINT");
        assertEquals(cuda.cmd(), cpu.cmd(), "CMD");
        assertEquals(cuda.workdir(), cpu.workdir(), "WORKDIR (compose and k8s mount models/, datasets/, runs/ there)");
        for (String key : List.of("OPT_OUT_TRACKING", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_",
                "MALLOC_TOP_PAD_")) {
            assertEquals(cuda.env().get(key), cpu.env().get(key), key);
            assertTrue(cuda.env().containsKey(key), key + " in the image's ENV");
        }
        String jar = jarOf(cuda.entrypoint());
        for (Dockerfile.Stage s : List.of(cpu, cuda)) {
            Dockerfile.Copy copyJar = s.copyOf("/target/pocmerge.jar").orElseThrow(() ->
                    new AssertionError(s.name() + " does not copy target/pocmerge.jar"));
            assertEquals(jar, copyJar.destination(), s.name() + ": the ENTRYPOINT's jar is where COPY puts it");
            Dockerfile.Copy lib = s.copyOf("/target/lib").orElseThrow(() ->
                    new AssertionError(s.name() + " does not copy target/lib"));
            // the manifest's Class-Path says lib/<jar> relative to pocmerge.jar (pom: classpathPrefix lib/)
            assertEquals(Path.of(jar).resolveSibling("lib").toString(), lib.destination(), s.name() + " lib/");
            assertEquals(copyJar.from(), lib.from(), s.name() + ": jar and lib/ from one build");
            boolean cudaBuild = df().stage(copyJar.from()).runs().stream().anyMatch(r -> r.contains("package")
                    && r.contains("-Pcuda"));
            assertEquals(s == cuda, cudaBuild, s.name() + " must copy from a build " + (s == cuda ? "with" : "without")
                    + " -Pcuda (the CPU natives jar would win over libtorch on a GPU)");
        }
        assertFalse(cpu.env().containsKey("PYTORCH_LIBRARY_PATH"), "the CPU image uses the natives from its jar");
    }

    @Test
    void entrypointStartsOnCpuWithTheImagesEnvironment(@TempDir Path tmp) throws Exception {
        Dockerfile.Stage cpu = df().stage("cpu");
        List<String> entry = withJar(cpu.entrypoint(), thinJar(tmp));
        Map<String, String> env = imageEnv(cpu);

        Subprocess help = Subprocess.run(concat(entry, List.of("--help")), env, tmp, Duration.ofMinutes(2));
        assertEquals(0, help.exit(), help.describe());
        assertTrue(help.out().contains("Usage: pocmerge"), help.describe());

        // the image's default command (docker run pocmerge:cpu) with few steps and JSON, in the image's WORKDIR
        Path work = Files.createDirectories(tmp.resolve("work"));
        List<String> cmd = concat(entry, concat(cpu.cmd(), List.of("--steps", "2", "--json")));
        Subprocess run = Subprocess.run(cmd, env, work, Duration.ofMinutes(3));
        assertEquals(0, run.exit(), run.describe());
        JsonObject o = JsonParser.parseString(run.out().strip()).getAsJsonObject();
        assertEquals("cpu", o.get("device").getAsString());
        assertEquals(2, o.get("steps").getAsInt());
        assertTrue(o.getAsJsonObject("merged").has("test_loss"), run.out());
        assertTrue(Files.isDirectory(work.resolve("runs")), "default run folder under the working directory");
    }

    /** The jar path in `java ... -jar PATH` (DockerImageTest and the Slurm check use the same rule). */
    static String jarOf(List<String> entrypoint) {
        int i = entrypoint.indexOf("-jar");
        assertTrue(i > 0 && i + 1 < entrypoint.size(), "ENTRYPOINT must be java ... -jar JAR: " + entrypoint);
        assertEquals("java", entrypoint.get(0), "ENTRYPOINT starts java from PATH");
        return entrypoint.get(i + 1);
    }

    static List<String> withJar(List<String> entrypoint, Path jar) {
        List<String> out = new ArrayList<>(entrypoint);
        out.set(entrypoint.indexOf("-jar") + 1, jar.toString());
        return out;
    }

    /** The image's ENV and nothing else from this JVM's environment, with this JDK's java first on PATH. */
    static Map<String, String> imageEnv(Dockerfile.Stage stage) {
        Map<String, String> env = new HashMap<>(stage.env());
        env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":/usr/bin:/bin");
        env.put("HOME", System.getProperty("user.home")); // DJL's native cache (~/.djl.ai), as in the image
        return env;
    }

    /**
     * A jar like target/pocmerge.jar, made before `package` runs: the pom's Main-Class, and a Class-Path of
     * target/classes plus the runtime dependencies (maven-dependency-plugin wrote them at generate-test-resources,
     * the same scope `package` copies into target/lib).
     */
    static Path thinJar(Path dir) throws IOException {
        Path cpFile = Path.of("target/runtime-classpath.txt");
        assertTrue(Files.exists(cpFile), cpFile + " is written by `mvn test` (maven-dependency-plugin build-classpath)");
        List<Path> entries = new ArrayList<>();
        entries.add(Path.of("target/classes").toAbsolutePath());
        Arrays.stream(Files.readString(cpFile).strip().split(java.io.File.pathSeparator))
                .filter(s -> !s.isBlank()).map(Path::of).forEach(entries::add);
        String torch = Pom.property("pytorch.version");
        assertTrue(entries.stream().anyMatch(p -> p.getFileName().toString()
                .equals("pytorch-native-cpu-" + torch + "-linux-x86_64.jar")),
                "the default (cpu) profile puts pytorch-native-cpu " + torch + " on the runtime classpath: " + entries);
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Pom.mainClass());
        mf.getMainAttributes().put(Attributes.Name.CLASS_PATH, entries.stream()
                .map(p -> p.toUri().toString()).collect(Collectors.joining(" ")));
        Path jar = dir.resolve("pocmerge.jar");
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream jos = new JarOutputStream(os, mf)) {
            jos.flush();
        }
        return jar;
    }

    private static Properties resource(String name) throws IOException {
        URL url = DockerImageTest.class.getClassLoader().getResource(name);
        assertTrue(url != null, name + " on the classpath");
        Properties p = new Properties();
        try (InputStream is = url.openStream()) {
            p.load(is);
        }
        return p;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
