package dev.pocmerge.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

class DevicesTest {
    @Test
    void autoPicksWhatTheEngineSees() {
        Device d = Devices.resolve("auto");
        int gpus = Engines.pytorch().getGpuCount();
        assertEquals(gpus > 0, d.isGpu());
        assertEquals(Device.cpu(), Devices.resolve("cpu"));
    }

    @Test
    void gpuWithoutGpuIsAUserError() {
        if (Engines.pytorch().getGpuCount() > 0) {
            return; // only meaningful on a CPU-only machine
        }
        PocmergeException e = assertThrows(PocmergeException.class, () -> Devices.resolve("gpu"));
        assertTrue(e.getMessage().contains("no GPU"), e.getMessage());
        assertThrows(PocmergeException.class, () -> Devices.resolve("gpu:x"));
        assertThrows(PocmergeException.class, () -> Devices.resolve("tpu"));
    }

    @Test
    void seedsAreDistinctPerMember() {
        assertTrue(Seeds.derive(0, 0) != Seeds.derive(0, 1));
        assertTrue(Seeds.derive(0, 0) != Seeds.derive(1, 0));
        assertEquals(Seeds.derive(7, 3), Seeds.derive(7, 3));
    }
}
