package dev.pocmerge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

/** pocmerge plan: the table, the JSON and one-line errors (exit 2). */
class PlanCommandTest {
    @Test
    void printsTheBreakdownAndTheVerdict() {
        CliRun r = CliRun.of("plan", "--config", "models/llama-2-7b/config.json", "--M", "8", "--rank", "32");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("frozen base (f16, Wᵀ)"), r.out());
        assertTrue(r.out().contains("12.55"), r.out()); // 13,477,363,712 B
        assertTrue(r.out().contains("fits 80.00 GiB"), r.out());
        assertTrue(r.out().contains("attention scores/probs"), r.out());
    }

    @Test
    void jsonCarriesBytesAndFits() {
        CliRun r = CliRun.of("plan", "--config", "models/llama-3-8b", "--json", "--gpu-memory", "141GB", "--recompute",
                "--micro-batch-size", "1", "--dropout", "0");
        assertEquals(0, r.exit(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(141_000_000_000L, o.getAsJsonObject("options").get("gpu_memory_bytes").getAsLong());
        assertTrue(o.getAsJsonObject("options").get("recompute").getAsBoolean());
        assertEquals(8L * 1 * 256, o.get("tokens_per_forward").getAsLong());
        assertEquals(o.getAsJsonObject("recompute").get("fits").getAsBoolean(), o.get("fits").getAsBoolean());
        long base = o.get("base_bytes").getAsLong();
        assertEquals(8_030_261_248L * 2 + (32L * 2 * 4096 + 4096) * 2, base); // 2 B per weight, 2 more per norm weight
    }

    @Test
    void sizesParse() {
        assertEquals(80L << 30, PlanCommand.parseBytes("80GiB"));
        assertEquals(80_000_000_000L, PlanCommand.parseBytes("80 GB"));
        assertEquals(24576L << 20, PlanCommand.parseBytes("24576MiB"));
        assertEquals(1536L << 20, PlanCommand.parseBytes("1.5GiB"));
        assertEquals(1234L, PlanCommand.parseBytes("1234"));
    }

    @Test
    void userErrorsAreOneLine() {
        for (String[] args : new String[][] {
            {"plan", "--config", "models/llama-2-7b/config.json", "--gpu-memory", "lots"},
            {"plan", "--config", "models/llama-2-7b/config.json", "--rank", "0"},
            {"plan", "--config", "models/llama-2-7b/config.json", "--targets", "q_proj,w_proj"},
            {"plan", "--config", "models/llama-2-7b/config.json", "--base-dtype", "bf16"},
            {"plan", "--config", "/nonexistent/config.json"},
        }) {
            CliRun r = CliRun.of(args);
            assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.errorLine().startsWith("error: "), r.err());
            assertFalse(r.err().contains("Exception"), r.err());
        }
    }
}
