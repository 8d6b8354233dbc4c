package dev.pocmerge.io;

import dev.pocmerge.core.PocmergeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Turns what a user passes to {@code merge --adapters} into adapter folders: each argument is one PEFT adapter
 * folder or a folder of them (a run's {@code adapters/} holding {@code adapter-0/}, {@code adapter-1/} ...).
 * Members are ordered by the index that ends their folder name, so the merged factors do not depend on the order
 * in which a user lists the run folders of an ensemble split over machines.
 */
public final class AdapterFolders {
    /** One member: its folder and the index its name ends with ({@code adapter-3} → 3), if any. */
    public record Member(Path dir, OptionalInt index) {}

    private static final Pattern INDEX = Pattern.compile("(\\d{1,9})$");

    private AdapterFolders() {}

    public static List<Member> expand(List<Path> args) {
        if (args.isEmpty()) {
            throw new PocmergeException("--adapters: give at least one adapter folder");
        }
        List<Member> out = new ArrayList<>();
        for (Path arg : args) {
            if (!Files.exists(arg)) {
                throw new PocmergeException("--adapters " + arg + ": folder not found");
            }
            if (!Files.isDirectory(arg)) {
                throw new PocmergeException("--adapters " + arg + ": is a file; pass the adapter folder (the one holding "
                        + PeftFiles.CONFIG + ") or a folder of them");
            }
            if (looksLikeAdapter(arg)) {
                out.add(member(arg));
                continue;
            }
            List<Member> inside = new ArrayList<>();
            try (Stream<Path> s = Files.list(arg)) {
                s.filter(Files::isDirectory).filter(AdapterFolders::looksLikeAdapter).sorted()
                        .forEach(d -> inside.add(member(d)));
            } catch (IOException e) {
                throw new PocmergeException("--adapters " + arg + ": cannot list (" + e.getMessage() + ")", e);
            }
            if (inside.isEmpty()) {
                throw new PocmergeException("--adapters " + arg + ": no " + PeftFiles.CONFIG + " here or in its"
                        + " subfolders (pass a PEFT adapter folder or a folder of them, e.g. runs/ft/adapters)");
            }
            inside.sort(byIndex());
            out.addAll(inside);
        }
        refuseDuplicates(out);
        if (out.stream().allMatch(m -> m.index().isPresent())) {
            out.sort(byIndex()); // stable: equal indexes cannot occur after refuseDuplicates
        }
        return out;
    }

    /** Anything PEFT might have left there, so that a pickle-only folder is reported by the reader, not skipped. */
    private static boolean looksLikeAdapter(Path dir) {
        return Files.exists(dir.resolve(PeftFiles.CONFIG)) || Files.exists(dir.resolve(PeftFiles.WEIGHTS))
                || Files.exists(dir.resolve(PeftFiles.PICKLE));
    }

    private static Member member(Path dir) {
        Matcher m = INDEX.matcher(dir.getFileName().toString());
        return new Member(dir, m.find() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty());
    }

    private static Comparator<Member> byIndex() {
        return Comparator.comparingInt((Member m) -> m.index().orElse(Integer.MAX_VALUE));
    }

    private static void refuseDuplicates(List<Member> members) {
        Map<Path, Path> seen = new HashMap<>();
        Map<Integer, Path> byIndex = new HashMap<>();
        for (Member m : members) {
            Path real;
            try {
                real = m.dir().toRealPath();
            } catch (IOException e) {
                real = m.dir().toAbsolutePath().normalize();
            }
            Path before = seen.putIfAbsent(real, m.dir());
            if (before != null) {
                throw new PocmergeException("--adapters: " + before + " and " + m.dir() + " are the same folder");
            }
            if (m.index().isPresent()) {
                Path other = byIndex.putIfAbsent(m.index().getAsInt(), m.dir());
                if (other != null) {
                    throw new PocmergeException("--adapters: " + other + " and " + m.dir() + " are both member "
                            + m.index().getAsInt() + " (the same member twice?); members of one ensemble have distinct"
                            + " indexes");
                }
            }
        }
    }
}
