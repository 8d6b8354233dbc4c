package dev.pocmerge.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every output of {@link Json} is strict JSON: non-finite numbers become null, finite ones keep their digits. */
class JsonStrictTest {
    record Rates(double stepsPerSecond, Double boxed, float f, Float boxedF, double[] curve, List<Double> list) {}

    @TempDir
    Path tmp;

    @Test
    void recordsMapsAndArraysWriteNonFiniteAsNull() {
        Rates r = new Rates(1.0 / 0.0, Double.NaN, Float.NEGATIVE_INFINITY, 0.1f, new double[] {0.5, Double.NaN},
                java.util.Arrays.asList(Double.POSITIVE_INFINITY, 2.0));
        // golden text: keys of nulls are left out (like every null), array slots keep their place as null
        assertEquals("{\"boxedF\":0.1,\"curve\":[0.5,null],\"list\":[null,2.0]}",
                StrictJson.check(Json.COMPACT.toJson(r)));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ratio", 3.0 / 0.0);
        m.put("ok", 2.5);
        assertEquals("{\"ok\":2.5}", StrictJson.check(Json.COMPACT.toJson(m)));
    }

    @Test
    void handBuiltTreesAreCleanedAtEveryDepthWithoutChangingTheCaller() {
        JsonObject o = new JsonObject();
        o.addProperty("loss", Double.NaN);
        JsonArray a = new JsonArray();
        a.add(Double.NEGATIVE_INFINITY);
        a.add(1);
        JsonObject inner = new JsonObject();
        inner.addProperty("sup", Float.POSITIVE_INFINITY);
        inner.addProperty("rms", 0.25);
        a.add(inner);
        o.add("rows", a);
        assertEquals("{\"rows\":[null,1,{\"rms\":0.25}]}", StrictJson.check(Json.COMPACT.toJson(o)));
        assertTrue(Double.isNaN(o.get("loss").getAsDouble()), "the caller's tree is not modified");
        StrictJson.check(Json.PRETTY.toJson(o));
        assertEquals("null", Json.COMPACT.toJson(Double.NaN));
    }

    @Test
    void filesAreStrictAndNullReadsBackAsNaN() throws Exception {
        JsonObject o = new JsonObject();
        o.addProperty("seconds", 0.0 / 0.0);
        o.addProperty("steps", 3);
        Path f = tmp.resolve("results.json");
        Json.writeAtomic(f, o);
        StrictJson.check(Files.readString(f));
        Rates back = Json.COMPACT.fromJson("{\"stepsPerSecond\":null,\"f\":null,\"curve\":[1,null]}", Rates.class);
        assertTrue(Double.isNaN(back.stepsPerSecond()));
        assertTrue(Float.isNaN(back.f()));
        assertTrue(Double.isNaN(back.curve()[1]));
    }

    @Test
    void theCheckerItselfRejectsBareNaN() {
        assertThrows(AssertionError.class, () -> StrictJson.check("{\"a\":NaN}"));
        assertThrows(AssertionError.class, () -> StrictJson.check("[Infinity]"));
        assertThrows(AssertionError.class, () -> StrictJson.check("[-Infinity]"));
    }
}
