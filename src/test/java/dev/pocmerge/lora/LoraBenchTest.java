package dev.pocmerge.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.pocmerge.core.Json;
import dev.pocmerge.llama.LlamaConfig;
import org.junit.jupiter.api.Test;

/** bench lora's JSON contract on a very small config, and the FLOP model against the peer's numbers. */
class LoraBenchTest {
    @Test
    void flopModelIsThePeers() {
        // lora_peer.py flop_model() for Config A: 56,975,425,536 (its table: 21.47 + 20.40 + 2.15 + 4.29 + 2.95 + 5.70)
        LoraBench.Config a = LoraBench.Config.peerA(false, 0, 1);
        LlamaConfig c = a.llama();
        LoraFlops f = LoraFlops.of(c, LoraTargets.parse(a.targets(), c), 8, 4, 128, 32);
        assertEquals(21_474_836_480.0, f.frozenForward());
        assertEquals(20_401_094_656.0, f.frozenBackward());
        assertEquals(2_147_483_648.0, f.attentionForward());
        assertEquals(4_294_967_296.0, f.attentionBackward());
        assertEquals(2_952_790_016.0, f.loraForward());
        assertEquals(5_704_253_440.0, f.loraBackward());
        assertEquals(56_975_425_536.0, f.total());
    }

    @Test
    void jsonHasTheKeysAndConsistentRatios() {
        LoraBench.Config tiny = new LoraBench.Config(32, 48, 2, 4, 2, 64, 16, 2, 3, 4, 8, LoraTargets.DEFAULT, 0.0, 1e-5,
                false, 1, 2, 128, 7, "f32");
        // through the printed text, as a consumer of --json reads it
        JsonObject o = JsonParser.parseString(Json.COMPACT.toJson(LoraBench.json(LoraBench.run(tiny)))).getAsJsonObject();
        for (String k : LoraBench.KEYS) {
            assertTrue(o.has(k), "missing " + k + " in " + o);
        }
        JsonObject cfg = o.getAsJsonObject("config");
        assertEquals(3, cfg.get("members").getAsInt());
        assertEquals(16, cfg.get("seq").getAsInt());
        double tokensPerStep = o.get("tokens_per_step").getAsDouble();
        assertEquals(3 * 2 * 16, tokensPerStep);
        double flop = o.get("flop_per_step").getAsDouble();
        double batched = o.get("batched_tokens_per_s").getAsDouble();
        double sequential = o.get("sequential_tokens_per_s").getAsDouble();
        assertTrue(batched > 0 && sequential > 0);
        // step_gflops = FLOPs per step × steps per second
        assertEquals(flop * batched / tokensPerStep / 1e9, o.get("step_gflops").getAsDouble(), 1e-9 * flop);
        assertEquals(flop * sequential / tokensPerStep / 1e9, o.get("sequential_step_gflops").getAsDouble(), 1e-9 * flop);
        assertEquals(o.get("step_gflops").getAsDouble() / o.get("matmul_gflops").getAsDouble(),
                o.get("step_over_matmul").getAsDouble(), 1e-12);
        assertEquals(batched / sequential, o.get("batched_over_sequential").getAsDouble(), 1e-12);
        // ms per step and tokens/s are two views of the same timed steps
        assertEquals(1000 * tokensPerStep / batched, o.get("batched_ms_per_step").getAsDouble(), 1e-6);
        assertEquals(3, o.getAsJsonArray("batched_step_s").size()); // warm-up + timed
        assertTrue(o.get("matmul_gflops").getAsDouble() > 0);
        for (String mode : new String[] {"batched", "sequential"}) {
            double peak = o.get(mode + "_peak_rss_mb").getAsDouble();
            double start = o.get(mode + "_baseline_rss_mb").getAsDouble();
            assertTrue(peak > start && start > 0, mode + ": peak " + peak + ", start " + start);
            assertEquals(peak - start, o.get(mode + "_rss_over_baseline_mb").getAsDouble(), 1e-6);
        }
        assertEquals(LoraBench.mib(LoraBench.plan(tiny, 3).tensorPeak()), o.get("plan_predicted_mb").getAsDouble(), 1e-9);
        assertTrue(Double.isFinite(o.get("loss_last").getAsDouble()));
    }
}
