package dev.pocmerge.cli;

import com.google.gson.JsonObject;
import dev.pocmerge.core.Json;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A run folder's {@code config.json} for the commands whose settings are a record: the command, every option as
 * resolved (given or default, unset ones left out) and the settings the run used after the defaults were filled.
 */
final class RunConfigJson {
    private RunConfigJson() {}

    static void write(Path dir, CommandSpec spec, Object settings) {
        Json.writeAtomic(dir.resolve("config.json"), of(spec, settings));
    }

    static JsonObject of(CommandSpec spec, Object settings) {
        JsonObject o = new JsonObject();
        o.addProperty("command", spec.qualifiedName(" ").replaceFirst("^pocmerge ", ""));
        Map<String, Object> options = new LinkedHashMap<>();
        for (OptionSpec opt : spec.options()) {
            if (opt.usageHelp() || opt.versionHelp()) {
                continue;
            }
            Object v = opt.getValue();
            options.put(opt.longestName().replaceFirst("^-+", ""), plain(v));
        }
        o.add("options", Json.PRETTY.toJsonTree(options));
        if (settings != null) {
            o.add("settings", Json.PRETTY.toJsonTree(settings));
        }
        return o;
    }

    /** Values Gson writes as they read: paths as strings, collections element by element. */
    private static Object plain(Object v) {
        if (v == null || v instanceof Number || v instanceof Boolean || v instanceof String) {
            return v;
        }
        if (v instanceof Collection<?> c) {
            return c.stream().map(RunConfigJson::plain).toList();
        }
        if (v instanceof Enum<?> e) {
            return e.name();
        }
        return v.toString();
    }
}
