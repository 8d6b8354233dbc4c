package dev.pocmerge.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** json.dumps(indent=4) byte for byte: against Python's output typed in, and against the real dataset files. */
class PythonJsonTest {
    static final Path COMMONSENSE = Path.of("../shared/datasets/commonsense");

    @Test
    void matchesPythonOnEscapesAndEmptyContainers() {
        JsonObject o = new JsonObject();
        o.addProperty("a", "e\u00e9\u2028\"\\\t\u007f\u0001\uD83D\uDE00<&>");
        o.add("b", new JsonArray());
        o.add("c", new JsonObject());
        JsonArray d = new JsonArray();
        d.add(1);
        d.add(true);
        d.add(com.google.gson.JsonNull.INSTANCE);
        JsonObject e = new JsonObject();
        e.addProperty("e", "f");
        d.add(e);
        o.add("d", d);
        // python3 -c 'import json; print(repr(json.dumps({...the same...}, indent=4)))'
        String python = "{\n    \"a\": \"e\\u00e9\\u2028\\\"\\\\\\t\\u007f\\u0001\\ud83d\\ude00<&>\",\n    \"b\": [],\n"
                + "    \"c\": {},\n    \"d\": [\n        1,\n        true,\n        null,\n        {\n"
                + "            \"e\": \"f\"\n        }\n    ]\n}";
        assertEquals(python, PythonJson.dumps(o, 4));
    }

    @Test
    void reproducesTheRealTestSetsByteForByte() throws IOException {
        assumeTrue(Files.isDirectory(COMMONSENSE), "no ../shared/datasets/commonsense");
        // SOURCE.md: each file is exactly json.dumps(data, indent=4), no trailing newline
        for (String set : List.of("boolq", "piqa", "social_i_qa", "winogrande", "ARC-Easy", "ARC-Challenge",
                "openbookqa")) {
            String text = Files.readString(COMMONSENSE.resolve(set).resolve("test.json"), StandardCharsets.UTF_8);
            assertEquals(text, PythonJson.dumps(JsonParser.parseString(text), 4), set);
        }
    }
}
