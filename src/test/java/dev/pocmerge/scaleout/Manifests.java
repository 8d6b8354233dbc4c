package dev.pocmerge.scaleout;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

/**
 * The manifests under docker/k8s read into fabric8's typed Kubernetes objects, as the API server would read them:
 * a number where the API wants a string (`args: [--M, 8]`) is an error, not coerced, and a field the kind does
 * not have (a typo, a field at the wrong level) is reported with its path instead of landing silently in
 * fabric8's catch-all map.
 */
final class Manifests {
    static final Path DIR = Path.of("docker/k8s");

    record Manifest(Path file, int document, HasMetadata object) {
        String where() {
            return file + (document > 0 ? " (document " + (document + 1) + ")" : "");
        }
    }

    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "Job", Job.class,
            "Pod", Pod.class,
            "PersistentVolumeClaim", PersistentVolumeClaim.class);

    /** The API server's strictness on scalar types: no silent int/bool/string conversions. */
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .withCoercionConfig(LogicalType.Textual, c -> c
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Integer, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Boolean, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail))
            .build();

    private Manifests() {}

    static List<Path> files() throws IOException {
        try (Stream<Path> s = Files.walk(DIR)) {
            return s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
    }

    static List<Manifest> all() throws IOException {
        List<Manifest> out = new ArrayList<>();
        for (Path f : files()) {
            out.addAll(read(f));
        }
        return out;
    }

    static List<Manifest> read(Path file) throws IOException {
        List<Manifest> out = new ArrayList<>();
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        try (Reader r = Files.newBufferedReader(file)) {
            int i = 0;
            for (Object doc : yaml.loadAll(r)) {
                if (doc != null) {
                    out.add(new Manifest(file, i, typed(file, i, doc)));
                }
                i++;
            }
        }
        return out;
    }

    private static HasMetadata typed(Path file, int doc, Object raw) {
        if (!(raw instanceof Map<?, ?> map)) {
            throw new AssertionError(file + ": document " + (doc + 1) + " is not a mapping");
        }
        Object kind = map.get("kind");
        Class<? extends HasMetadata> type = KINDS.get(String.valueOf(kind));
        if (type == null) {
            throw new AssertionError(file + ": kind " + kind + " is not one the tests know (" + KINDS.keySet() + ")");
        }
        String apiVersion = HasMetadata.getApiVersion(type);
        if (!apiVersion.equals(map.get("apiVersion"))) {
            throw new AssertionError(file + ": a " + kind + " is apiVersion " + apiVersion + ", not " + map.get("apiVersion"));
        }
        HasMetadata o;
        try {
            o = MAPPER.convertValue(map, type);
        } catch (RuntimeException e) {
            throw new AssertionError(file + ": not a valid " + kind + ": " + e.getMessage(), e);
        }
        List<String> unknown = new ArrayList<>();
        unknownFields(o, "", unknown);
        if (!unknown.isEmpty()) {
            throw new AssertionError(file + ": fields a " + kind + " does not have: " + unknown);
        }
        return o;
    }

    /** Every fabric8 object keeps the keys it did not recognise in additionalProperties: there must be none. */
    static void unknownFields(Object o, String path, List<String> out) {
        if (o == null || o instanceof String || o instanceof Number || o instanceof Boolean) {
            return;
        }
        if (o instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                unknownFields(list.get(i), path + "[" + i + "]", out);
            }
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, out));
            return;
        }
        if (o instanceof Quantity q) {
            try {
                q.getNumericalAmount();
            } catch (RuntimeException e) {
                out.add(path + " (not a quantity: " + q + ")");
            }
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                Object v;
                try {
                    f.setAccessible(true);
                    v = f.get(o);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    throw new AssertionError("cannot read " + c.getName() + "." + f.getName(), e);
                }
                if (f.getName().equals("additionalProperties")) {
                    if (v instanceof Map<?, ?> extra) {
                        extra.keySet().forEach(k -> out.add((path.isEmpty() ? "" : path + ".") + k));
                    }
                    continue;
                }
                JsonProperty jp = f.getAnnotation(JsonProperty.class);
                String name = jp != null && !jp.value().isEmpty() ? jp.value() : f.getName();
                unknownFields(v, path.isEmpty() ? name : path + "." + name, out);
            }
        }
    }

    static List<Job> jobs(List<Manifest> all) {
        return all.stream().map(Manifest::object).filter(Job.class::isInstance).map(Job.class::cast).toList();
    }

    static Job job(List<Manifest> all, String name) {
        return jobs(all).stream().filter(j -> name.equals(j.getMetadata().getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no Job named " + name + " under " + DIR));
    }

    /** The pod spec of a Job's template or of a bare Pod. */
    static PodSpec podSpec(HasMetadata o) {
        if (o instanceof Job j) {
            return j.getSpec().getTemplate().getSpec();
        }
        if (o instanceof Pod p) {
            return p.getSpec();
        }
        return null;
    }
}
