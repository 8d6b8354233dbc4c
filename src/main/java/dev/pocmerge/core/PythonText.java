package dev.pocmerge.core;

/**
 * Python's {@code str.strip()} / {@code str.rstrip()} without arguments: they remove characters for which
 * {@code str.isspace()} holds, a different set from Java's {@code String.strip()} (Python also strips U+001C..U+001F,
 * U+0085 and U+00A0; both strip U+0009..U+000D and U+0020). Answer extraction and lm-eval's context split must see
 * the same text as the Python code they follow.
 */
public final class PythonText {
    private PythonText() {}

    /** {@code ch.isspace()} for one code point (Unicode White_Space plus the four ASCII separators). */
    public static boolean isSpace(int cp) {
        if (cp >= 0x09 && cp <= 0x0D || cp >= 0x1C && cp <= 0x20) {
            return true;
        }
        return switch (cp) {
            case 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000 -> true;
            default -> cp >= 0x2000 && cp <= 0x200A;
        };
    }

    public static String strip(String s) {
        return rstrip(lstrip(s));
    }

    public static String lstrip(String s) {
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            if (!isSpace(cp)) {
                break;
            }
            i += Character.charCount(cp);
        }
        return s.substring(i);
    }

    public static String rstrip(String s) {
        int j = s.length();
        while (j > 0) {
            int cp = s.codePointBefore(j);
            if (!isSpace(cp)) {
                break;
            }
            j -= Character.charCount(cp);
        }
        return s.substring(0, j);
    }

    /** Python's {@code len(s)}: code points, not UTF-16 units. */
    public static int length(String s) {
        return s.codePointCount(0, s.length());
    }
}
