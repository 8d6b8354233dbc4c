package dev.pocmerge.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pocmerge.core.PocmergeException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Per-member validation splits: a partition, reproducible, a function of (seed, member, n, valSize) only. */
class MemberSplitTest {
    @Test
    void partitionOfTheRowsWithTheAskedSizes() {
        MemberSplit s = MemberSplit.split(1000, 120, 7, 3);
        assertEquals(120, s.validation().length);
        assertEquals(880, s.train().length);
        int[] all = IntStream.concat(IntStream.of(s.train()), IntStream.of(s.validation())).sorted().toArray();
        assertArrayEquals(IntStream.range(0, 1000).toArray(), all, "disjoint and covering 0..n-1");
        assertTrue(isAscending(s.train()) && isAscending(s.validation()));
        MemberSplit none = MemberSplit.split(10, 0, 7, 3);
        assertArrayEquals(new int[0], none.validation());
        assertArrayEquals(IntStream.range(0, 10).toArray(), none.train());
        assertEquals(1, MemberSplit.split(10, 9, 7, 3).train().length);
    }

    @Test
    void memberKIsTheSameWhateverElseIsDrawn() {
        MemberSplit alone = MemberSplit.split(500, 50, 11, 5);
        List<MemberSplit> ensemble = new ArrayList<>();
        for (int m = 7; m >= 0; m--) { // another order, other members drawn before it
            ensemble.add(0, MemberSplit.split(500, 50, 11, m));
        }
        assertEquals(alone, ensemble.get(5));
        assertEquals(alone, MemberSplit.split(500, 50, 11, 5));
        // members differ from each other and seeds from seeds
        for (int m = 0; m < 8; m++) {
            for (int k = m + 1; k < 8; k++) {
                assertFalse(ensemble.get(m).equals(ensemble.get(k)), m + " vs " + k);
            }
        }
        assertNotEquals(alone, MemberSplit.split(500, 50, 12, 5));
    }

    @Test
    void everyRowIsHeldOutAboutEquallyOften() {
        // 2000 members of n = 20, valSize 5: each row is held out Binomial(2000, 1/4) times (mean 500, sd ~19.4);
        // a split that favoured the first rows, or repeated one draw, would fail by far
        int[] held = new int[20];
        for (int m = 0; m < 2000; m++) {
            for (int i : MemberSplit.split(20, 5, 3, m).validation()) {
                held[i]++;
            }
        }
        for (int i = 0; i < 20; i++) {
            assertTrue(Math.abs(held[i] - 500) < 6 * 19.4, "row " + i + " held out " + held[i] + " times");
        }
        double chi2 = 0;
        for (int h : held) {
            chi2 += (h - 500.0) * (h - 500.0) / 500.0;
        }
        assertTrue(chi2 < 45, "chi2 " + chi2 + " (19 dof; 45 is beyond p = 0.001)");
    }

    @Test
    void badSizesAreOneLineErrors() {
        PocmergeException big = assertThrows(PocmergeException.class, () -> MemberSplit.split(100, 100, 0, 0));
        assertTrue(big.getMessage().startsWith("--val-set-size 100 leaves no training rows: the data has 100 rows"),
                big.getMessage());
        assertThrows(PocmergeException.class, () -> MemberSplit.split(100, 250, 0, 0));
        PocmergeException neg = assertThrows(PocmergeException.class, () -> MemberSplit.split(100, -1, 0, 0));
        assertTrue(neg.getMessage().startsWith("--val-set-size -1"), neg.getMessage());
        PocmergeException empty = assertThrows(PocmergeException.class, () -> MemberSplit.split(0, 0, 0, 0));
        assertTrue(empty.getMessage().contains("training set is empty"), empty.getMessage());
    }

    private static boolean isAscending(int[] a) {
        for (int i = 1; i < a.length; i++) {
            if (a[i] <= a[i - 1]) {
                return false;
            }
        }
        return true;
    }
}
