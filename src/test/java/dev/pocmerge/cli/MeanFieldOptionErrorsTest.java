package dev.pocmerge.cli;

import static dev.pocmerge.cli.Refusals.assertRefused;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pocmerge.core.MemoryBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Mean-field commands refuse what they would ignore, cannot allocate or cannot read, before writing anything. */
class MeanFieldOptionErrorsTest {
    @TempDir
    Path tmp;

    private Path out() {
        return tmp.resolve("run");
    }

    private Path csv() throws IOException {
        Path f = tmp.resolve("d.csv");
        Files.writeString(f, "a,b,y\n1,2,1\n2,3,-1\n3,1,1\n4,4,-1\n5,0,1\n1,1,-1\n0,3,1\n");
        return f;
    }

    @Test
    void gammaWithOverdampedDynamicsIsRefused() {
        assertRefused("--gamma", out(), "ensemble", "--gamma", "5", "--out", out().toString());
        assertRefused("--gamma", out(), "ensemble", "--gamma", "5", "--dynamics", "overdamped", "--out",
                out().toString());
    }

    @Test
    void taskWithDataIsRefused() throws IOException {
        assertRefused("--task", out(), "ensemble", "--task", "circles", "--data", csv().toString(), "--out",
                out().toString());
    }

    @Test
    void batchAboveTheDataIsRefused() throws IOException {
        // circles has 160 training rows, multiindex 400, the CSV 5 or 6 (7 rows, 80/20)
        assertRefused("--batch-size 161", out(), "ensemble", "--batch-size", "161", "--out", out().toString());
        assertRefused("--batch-size", out(), "ensemble", "--data", csv().toString(), "--batch-size", "7", "--out",
                out().toString());
        assertRefused("--batch-size", out(), "lambda-sweep", "--quick", "--batch-size", "401", "--out",
                out().toString());
    }

    @Test
    void rWithTheClassicNeuronIsRefused() {
        assertRefused("--R", out(), "ensemble", "--neuron", "classic", "--R", "3", "--out", out().toString());
    }

    @Test
    void sizesPastOneTensorAreRefusedBeforeTheRunFolder() {
        assertRefused("--M", out(), "ensemble", "--M", "100000", "--N", "100000", "--out", out().toString());
        assertRefused("--reference", out(), "ensemble", "--reference", "2000000000", "--out", out().toString());
        assertRefused("--n-inf", out(), "supnorm", "--n-inf", "2000000000", "--out", out().toString());
        assertRefused("--M", out(), "dynamics", "--M", "100000", "--N", "100000", "--out", out().toString());
        assertRefused("--pairs", out(), "interpolate", "--pairs", "1000000", "--N", "5000", "--out",
                out().toString());
        assertRefused("--M", null, "bench", "ensemble", "--M", "100000", "--N", "100000");
    }

    @Test
    void sizesPastTheMachinesMemoryAreRefused() {
        // 5·10⁸ neurons on circles: 2·10⁹ parameters fit one tensor, ~1.9 TB of activations fit no test machine
        assumeTrue(MemoryBudget.available(null) < 1_500_000_000_000L, "a machine with > 1.5 TB free");
        String m = assertRefused("--M 20000 × --N 25000", out(), "ensemble", "--M", "20000", "--N", "25000",
                "--reference", "0", "--out", out().toString());
        assertFalse(m.contains("one tensor"), m);
        // multiindex (D = 102, 400 rows): 2.04·10⁹ parameters, ~240 GB
        assumeTrue(MemoryBudget.available(null) < 200_000_000_000L, "a machine with > 200 GB free");
        assertRefused("--M 20000", out(), "lambda-sweep", "--M", "20000", "--n-list", "1000", "--out",
                out().toString());
    }

    @Test
    @Timeout(60)
    void dataThatIsNotARegularFileIsRefused() throws IOException, InterruptedException {
        Path dir = Files.createDirectory(tmp.resolve("folder"));
        assertRefused("--data", out(), "ensemble", "--data", dir.toString(), "--out", out().toString());
        assertRefused("--data", out(), "ensemble", "--data", "/dev/null", "--out", out().toString());
        assertRefused("--data", out(), "ensemble", "--data", tmp.resolve("missing.csv").toString(), "--out",
                out().toString());
        Path fifo = Refusals.fifo(tmp);
        assumeTrue(fifo != null, "mkfifo");
        assertRefused("--data", out(), "ensemble", "--data", fifo.toString(), "--out", out().toString());
    }

    @Test
    void picocliErrorsAreOneLine() {
        assertRefused("--M", out(), "ensemble", "--M", "abc", "--out", out().toString());
        assertRefused("--bogus", null, "bench", "ensemble", "--bogus");
    }

    @Test
    void messagesNameTheFlagGiven() {
        String m = assertRefused("--steps", out(), "symmetries", "--steps", "-1", "--out", out().toString());
        assertFalse(m.contains("--samples"), m); // symmetries has no --samples option
        assertRefused("--autograd-steps", null, "bench", "ensemble", "--autograd-steps", "0");
        assertRefused("--sequential-steps", null, "bench", "ensemble", "--sequential-steps", "0");
    }
}
