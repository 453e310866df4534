package dev.tessera.nn.checkpoint;

import dev.tessera.tensor.io.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One JSON object read by {@link Json#read}, with typed getters whose errors name the file and
 * the field's path ({@code optimizer.groups[0].lr}) and say what was found.
 */
final class JsonFields {
    private final Path file;
    private final String where;
    private final Map<String, Object> members;

    private JsonFields(Path file, String where, Map<String, Object> members) {
        this.file = file;
        this.where = where;
        this.members = members;
    }

    /** The top-level value of {@code file}, which must be an object. */
    static JsonFields root(Path file, Object value) throws IOException {
        return of(file, "the top level", value);
    }

    private static JsonFields of(Path file, String where, Object value) throws IOException {
        if (!(value instanceof Map<?, ?> map)) {
            throw new IOException(file + ": " + where + " must be an object, found " + Json.describe(value));
        }
        @SuppressWarnings("unchecked") // Json.read gives objects as Map<String, Object>
        Map<String, Object> members = (Map<String, Object>) map;
        return new JsonFields(file, where, members);
    }

    /** Fails unless the keys are exactly {@code expected}. */
    JsonFields expectKeys(Set<String> expected) throws IOException {
        List<String> problems = new ArrayList<>();
        expected.stream().filter(k -> !members.containsKey(k)).forEach(k -> problems.add("missing key \"" + k + "\""));
        members.keySet().stream().filter(k -> !expected.contains(k)).forEach(k -> problems.add("unexpected key \"" + k + "\""));
        if (!problems.isEmpty()) {
            throw error(where, String.join(", ", problems));
        }
        return this;
    }

    JsonFields object(String key) throws IOException {
        return of(file, path(key), get(key));
    }

    /** The members of the object at {@code key} as field sets, in order. */
    Map<String, JsonFields> objects(String key) throws IOException {
        Map<String, JsonFields> out = new LinkedHashMap<>();
        JsonFields outer = object(key);
        for (Map.Entry<String, Object> member : outer.members.entrySet()) {
            out.put(member.getKey(), of(file, outer.path(member.getKey()), member.getValue()));
        }
        return out;
    }

    /** The elements of the array at {@code key}, each an object. */
    List<JsonFields> objectList(String key) throws IOException {
        List<JsonFields> out = new ArrayList<>();
        List<?> items = list(key);
        for (int i = 0; i < items.size(); i++) {
            out.add(of(file, path(key) + "[" + i + "]", items.get(i)));
        }
        return out;
    }

    List<String> stringList(String key) throws IOException {
        List<String> out = new ArrayList<>();
        List<?> items = list(key);
        for (int i = 0; i < items.size(); i++) {
            if (!(items.get(i) instanceof String s)) {
                throw error(path(key) + "[" + i + "]", "must be a string, found " + Json.describe(items.get(i)));
            }
            out.add(s);
        }
        return out;
    }

    /** An object of strings, in order. */
    Map<String, String> stringMap(String key) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        JsonFields inner = object(key);
        for (Map.Entry<String, Object> member : inner.members.entrySet()) {
            if (!(member.getValue() instanceof String s)) {
                throw error(inner.path(member.getKey()), "must be a string, found " + Json.describe(member.getValue()));
            }
            out.put(member.getKey(), s);
        }
        return out;
    }

    String string(String key) throws IOException {
        if (!(get(key) instanceof String s)) {
            throw error(path(key), "must be a string, found " + Json.describe(get(key)));
        }
        return s;
    }

    /** A whole number that fits a long. */
    long wholeNumber(String key) throws IOException {
        BigDecimal n = number(key);
        try {
            return n.longValueExact();
        } catch (ArithmeticException notALong) {
            throw error(path(key), "must be a whole number that fits a long, found " + n);
        }
    }

    /** A number whose value, rounded to a double, is finite. */
    double finiteNumber(String key) throws IOException {
        BigDecimal n = number(key);
        double d = n.doubleValue();
        if (!Double.isFinite(d)) {
            throw error(path(key), "is out of the range of a double: " + n);
        }
        return d;
    }

    /**
     * Each member of the object at {@code key} as a Long (written without a fraction or exponent),
     * a Double (with one) or a Boolean: the Java types {@link Json#write} was given.
     */
    Map<String, Object> scalars(String key) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        JsonFields inner = object(key);
        for (String name : inner.members.keySet()) {
            Object value = inner.get(name);
            if (value instanceof Boolean b) {
                out.put(name, b);
            } else if (value instanceof BigDecimal n && n.toString().matches("-?\\d+")) {
                out.put(name, inner.wholeNumber(name));
            } else {
                out.put(name, inner.finiteNumber(name));
            }
        }
        return out;
    }

    private BigDecimal number(String key) throws IOException {
        if (!(get(key) instanceof BigDecimal n)) {
            throw error(path(key), "must be a number, found " + Json.describe(get(key)));
        }
        return n;
    }

    private List<?> list(String key) throws IOException {
        if (!(get(key) instanceof List<?> items)) {
            throw error(path(key), "must be an array, found " + Json.describe(get(key)));
        }
        return items;
    }

    private Object get(String key) throws IOException {
        if (!members.containsKey(key)) {
            throw error(where, "missing key \"" + key + "\"");
        }
        return members.get(key);
    }

    private String path(String key) {
        return where.equals("the top level") ? key : where + "." + key;
    }

    private IOException error(String at, String what) {
        return new IOException(file + ": " + at + " " + what);
    }
}
