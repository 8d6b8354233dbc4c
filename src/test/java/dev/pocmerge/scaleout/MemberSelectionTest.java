package dev.pocmerge.scaleout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pocmerge.core.PocmergeException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MemberSelectionTest {
    @Test
    void parsesIndicesRangesAndListsSortedUnique() {
        assertArrayEquals(new int[] {3}, MemberSelection.parse("3", 8));
        assertArrayEquals(new int[] {0, 1, 2, 3}, MemberSelection.parse("0-3", 8));
        assertArrayEquals(new int[] {0, 2, 5}, MemberSelection.parse("0,2,5", 8));
        assertArrayEquals(new int[] {0, 2, 5}, MemberSelection.parse("5,0,2", 8));
        assertArrayEquals(new int[] {0, 1, 4, 6, 7}, MemberSelection.parse(" 6-7 , 0-1,4 ", 8));
        assertArrayEquals(new int[] {7}, MemberSelection.parse("7-7", 8));
        assertArrayEquals(MemberSelection.all(8), MemberSelection.parse("0-7", 8));
    }

    @Test
    void refusesWithOneLineNamingTheFlag() {
        String[][] cases = {
            {"8", "out of range 0..7"}, {"0-8", "out of range 0..7"}, {"99999999999", "out of range 0..7"},
            {"", "empty list"}, {"  ", "empty list"}, {"1,,2", "empty item"}, {"1,", "empty item"},
            {"a", "not a member index"}, {"-1", "not a member index"}, {"1-", "not a member index"},
            {"1-2-3", "not a member index"}, {"1.5", "not a member index"}, {"3-1", "runs backwards"},
            {"2,2", "named twice"}, {"0-3,2", "named twice"}, {"0-2,1-4", "named twice"},
        };
        for (String[] c : cases) {
            PocmergeException e = assertThrows(PocmergeException.class, () -> MemberSelection.parse(c[0], 8), c[0]);
            assertTrue(e.getMessage().startsWith("--members: "), e.getMessage());
            assertTrue(e.getMessage().contains(c[1]), "'" + c[0] + "' → " + e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
        }
        assertThrows(PocmergeException.class, () -> MemberSelection.parse(null, 8));
    }

    @Test
    void formatIsCompactAndParsesBack() {
        assertEquals("0-3", MemberSelection.format(new int[] {0, 1, 2, 3}));
        assertEquals("0,2,5", MemberSelection.format(new int[] {0, 2, 5}));
        assertEquals("0-1,4,6-7", MemberSelection.format(new int[] {0, 1, 4, 6, 7}));
        assertEquals("", MemberSelection.format(new int[0]));
        Random r = new Random(4);
        for (int trial = 0; trial < 200; trial++) {
            int m = 1 + r.nextInt(40);
            int[] pick = java.util.stream.IntStream.range(0, m).filter(i -> r.nextInt(3) > 0).toArray();
            if (pick.length == 0) {
                continue;
            }
            assertArrayEquals(pick, MemberSelection.parse(MemberSelection.format(pick), m));
        }
    }
}
