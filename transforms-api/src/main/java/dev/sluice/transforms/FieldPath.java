package dev.sluice.transforms;

import java.util.ArrayList;
import java.util.List;

/** A parsed field path: {@code customer.address.city}, {@code items[0].sku}. Segments are names or array indexes. */
final class FieldPath {
    final List<Object> segments;

    private FieldPath(List<Object> segments) {
        this.segments = segments;
    }

    static FieldPath parse(String path) {
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("a field path must not be empty");
        }
        List<Object> segments = new ArrayList<>();
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '.') {
                endName(path, name, segments, i);
            } else if (c == '[') {
                if (name.length() > 0) {
                    segments.add(name.toString());
                    name.setLength(0);
                }
                int close = path.indexOf(']', i);
                if (close < 0) {
                    throw new IllegalArgumentException("'" + path + "': unclosed '['");
                }
                try {
                    int index = Integer.parseInt(path.substring(i + 1, close));
                    if (index < 0) {
                        throw new NumberFormatException();
                    }
                    segments.add(index);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + path + "': an array index must be a number >= 0");
                }
                i = close;
                if (i + 1 < path.length() && path.charAt(i + 1) != '.' && path.charAt(i + 1) != '[') {
                    throw new IllegalArgumentException("'" + path + "': expected '.' or '[' after ']'");
                }
                if (i + 1 < path.length() && path.charAt(i + 1) == '.') {
                    i++;
                }
            } else {
                name.append(c);
            }
        }
        if (name.length() > 0) {
            segments.add(name.toString());
        } else if (path.endsWith(".")) {
            throw new IllegalArgumentException("'" + path + "': ends with '.'");
        }
        return new FieldPath(segments);
    }

    private static void endName(String path, StringBuilder name, List<Object> segments, int at) {
        if (name.length() == 0) {
            throw new IllegalArgumentException("'" + path + "': empty field name at " + at);
        }
        segments.add(name.toString());
        name.setLength(0);
    }
}
